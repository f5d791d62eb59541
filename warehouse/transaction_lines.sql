-- NetSuite's live transaction lines, accounting lines and line links, from what tap-netsuite loads
-- (PostgreSQL; schema `netsuite`, as meltano.yml's target-postgres writes). See README.md,
-- "Transaction lines". Run once after the first sync; the views read the tables as they grow.
--
-- A loaded line is live unless NetSuite no longer has it. Removing a line moves its
-- transaction's header and nothing else (no deletedrecord row), so `transactionline_set` holds,
-- for each transaction whose header moved since lines were first loaded, the ids of the lines it
-- had then (none, with deleted = true, once the transaction is deleted). A line is live when its
-- transaction has no such set, or the latest set lists it, or the line changed after that set
-- was read (a line added by a change that did not move the header).

CREATE OR REPLACE VIEW netsuite.transactionline_live AS
SELECT l.*
FROM netsuite.transactionline AS l
LEFT JOIN netsuite.transactionline_set AS s ON s.transaction = l.transaction
WHERE s.transaction IS NULL
   OR l.id::text = ANY (string_to_array(s.line_ids, ','))
   OR l.linelastmodifieddate > s.lastmodifieddate;

-- Accounting lines go with their line: live when the line's transaction has no set, or the set
-- lists the line, or the accounting line was read after the set.
CREATE OR REPLACE VIEW netsuite.transactionaccountingline_live AS
SELECT a.*
FROM netsuite.transactionaccountingline AS a
LEFT JOIN netsuite.transactionline_set AS s ON s.transaction = a.transaction
WHERE s.transaction IS NULL
   OR a.transactionline::text = ANY (string_to_array(s.line_ids, ','))
   OR a.changed_at > s.lastmodifieddate;

-- A link is live while both of its lines are, and it was read at or after each end's latest set
-- (a link a later save removed was not read again).
CREATE OR REPLACE VIEW netsuite.nexttransactionlinelink_live AS
SELECT k.*
FROM netsuite.nexttransactionlinelink AS k
WHERE EXISTS (SELECT 1 FROM netsuite.transactionline_live AS l WHERE l.transaction = k.previousdoc AND l.id = k.previousline)
  AND EXISTS (SELECT 1 FROM netsuite.transactionline_live AS l WHERE l.transaction = k.nextdoc AND l.id = k.nextline)
  AND NOT EXISTS (
    SELECT 1 FROM netsuite.transactionline_set AS s
    WHERE s.transaction IN (k.previousdoc, k.nextdoc) AND s.lastmodifieddate > k.changed_at);

CREATE OR REPLACE VIEW netsuite.previoustransactionlinelink_live AS
SELECT k.*
FROM netsuite.previoustransactionlinelink AS k
WHERE EXISTS (SELECT 1 FROM netsuite.transactionline_live AS l WHERE l.transaction = k.previousdoc AND l.id = k.previousline)
  AND EXISTS (SELECT 1 FROM netsuite.transactionline_live AS l WHERE l.transaction = k.nextdoc AND l.id = k.nextline)
  AND NOT EXISTS (
    SELECT 1 FROM netsuite.transactionline_set AS s
    WHERE s.transaction IN (k.previousdoc, k.nextdoc) AND s.lastmodifieddate > k.changed_at);

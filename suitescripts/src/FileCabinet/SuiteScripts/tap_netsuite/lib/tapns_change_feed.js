/**
 * What the change-notification script reads and sends: the keyset query of changed records per
 * kind, the webhook batch body, and the progress a delivered batch moves to.
 * Progress is (last_modified rendered to the second in the account's zone, id): comparing the
 * rendered text, never the raw timestamp, so sub-second precision can neither skip nor loop.
 *
 * @NApiVersion 2.1
 * @NModuleScope SameAccount
 */
define([], function () {
    const MODIFIED = "TO_CHAR(r.lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS')";
    const KINDS = [
        { name: 'invoice', table: 'transaction', filter: "r.type = 'CustInvc'" },
        { name: 'customer', table: 'customer', filter: null }
    ];

    function changesSql(kind) {
        const conditions = [
            '(' + MODIFIED + ' > ? OR (' + MODIFIED + ' = ? AND r.id > ?))'
        ];
        if (kind.filter) {
            conditions.unshift(kind.filter);
        }
        return [
            'SELECT r.id AS id, ' + MODIFIED + ' AS last_modified',
            'FROM ' + kind.table + ' r',
            'WHERE ' + conditions.join(' AND '),
            'ORDER BY ' + MODIFIED + ', r.id'
        ].join('\n');
    }

    /** @param {{modified: string, lastId: number}} progress */
    function changesParams(progress) {
        return [progress.modified, progress.modified, progress.lastId];
    }

    function progressKey(deploymentId, kindName) {
        return deploymentId + ':' + kindName;
    }

    /**
     * @param {{account: string, kind: string, rows: Array<{id: string, last_modified: string}>}} batch
     * @returns {{body: string, progress: {modified: string, lastId: number}}}
     */
    function buildBatch(batch) {
        const records = batch.rows.map(function (row) {
            return { id: Number(row.id), last_modified: String(row.last_modified) };
        });
        const last = records[records.length - 1];
        return {
            body: JSON.stringify({ account: batch.account, kind: batch.kind, records: records }),
            progress: { modified: last.last_modified, lastId: last.id }
        };
    }

    function isDelivered(statusCode) {
        const code = Number(statusCode);
        return code >= 200 && code < 300;
    }

    function signatureHeader(hexDigest) {
        return 'sha256=' + String(hexDigest).toLowerCase();
    }

    /**
     * What is signed: the delivery's Unix time in seconds, a dot, then the exact body, so a
     * receiver can refuse a stale or replayed delivery whose body alone would still verify.
     * @param {number} sentAtMs the sending instant, Date.now()
     * @param {string} body
     * @returns {{timestamp: string, content: string}}
     */
    function signedContent(sentAtMs, body) {
        const timestamp = String(Math.floor(Number(sentAtMs) / 1000));
        return { timestamp: timestamp, content: timestamp + '.' + body };
    }

    return {
        KINDS: KINDS,
        changesSql: changesSql,
        changesParams: changesParams,
        progressKey: progressKey,
        buildBatch: buildBatch,
        isDelivered: isDelivered,
        signatureHeader: signatureHeader,
        signedContent: signedContent
    };
});

/**
 * Open-invoices RESTlet of tap-netsuite.
 * GET  ?customer_id=&as_of=YYYY-MM-DD&cursor=&page_size=  -> open invoices with aging, paged by cursor.
 * POST {"title", "note", "customer_id"}                   -> adds a note to the customer, answers its id.
 * The contract is written down in suitescripts/README.md.
 *
 * @NApiVersion 2.1
 * @NScriptType Restlet
 * @NModuleScope SameAccount
 */
define([
    'N/error', 'N/format', 'N/query', 'N/record', 'N/runtime',
    './lib/tapns_calendar', './lib/tapns_open_invoice_items', './lib/tapns_request_validation', './lib/tapns_caller_errors'
], function (error, format, query, record, runtime, calendar, invoiceItems, validation, callerErrors) {
    /** Rows per SuiteQL page fetch; SuiteQL pages hold 5 to 1000 rows. */
    const QUERY_CHUNK_SIZE = 200;
    const MIN_QUERY_PAGE_SIZE = 5;
    /** Governance units kept in hand before fetching another chunk. */
    const USAGE_RESERVE = 200;

    function openInvoicesSql(byCustomer) {
        return [
            'SELECT t.id AS id, t.tranid AS tranid, t.entity AS entity,',
            "  TO_CHAR(t.trandate, 'YYYY-MM-DD') AS trandate, TO_CHAR(t.duedate, 'YYYY-MM-DD') AS duedate,",
            '  t.foreigntotal AS foreigntotal, t.foreignamountunpaid AS foreignamountunpaid,',
            '  BUILTIN.DF(t.status) AS status, BUILTIN.DF(t.terms) AS terms, t.memo AS memo',
            'FROM transaction t',
            "WHERE t.type = 'CustInvc' AND t.status = 'A' AND t.foreignamountunpaid > 0 AND t.id > ?",
            byCustomer ? '  AND t.entity = ?' : '',
            'ORDER BY t.id'
        ].filter(Boolean).join('\n');
    }

    /** Today's date in the user's (account's) time zone, via N/format rather than the server clock's zone. */
    function todayInAccountZone() {
        const timezone = runtime.getCurrentUser().getPreference({ name: 'TIMEZONE' });
        const nowText = format.format({ value: new Date(), type: format.Type.DATETIMETZ, timezone: timezone });
        const today = format.parse({ value: calendar.stripTimeOfDay(nowText), type: format.Type.DATE });
        return calendar.formatIsoDate(calendar.calendarDateOfLocalFields(today));
    }

    function listOpenInvoices(request, asOfText) {
        const asOf = calendar.parseIsoDate(asOfText);
        const byCustomer = request.customerId !== null;
        const paged = query.runSuiteQLPaged({
            query: openInvoicesSql(byCustomer),
            params: byCustomer ? [request.afterId, request.customerId] : [request.afterId],
            pageSize: Math.max(MIN_QUERY_PAGE_SIZE, Math.min(request.pageSize, QUERY_CHUNK_SIZE))
        });
        const items = [];
        const script = runtime.getCurrentScript();
        for (let i = 0; i < paged.pageRanges.length && items.length < request.pageSize; i += 1) {
            if (items.length > 0 && script.getRemainingUsage() < USAGE_RESERVE) {
                log.audit({ title: 'tap-netsuite open invoices', details: 'Governance low: answering ' + items.length + ' items with has_more' });
                break;
            }
            const rows = paged.fetch({ index: paged.pageRanges[i].index }).data.asMappedResults();
            for (let r = 0; r < rows.length && items.length < request.pageSize; r += 1) {
                items.push(invoiceItems.toItem(rows[r], asOf));
            }
        }
        return invoiceItems.buildAnswer({
            items: items,
            hasMore: paged.count > items.length,
            asOf: asOfText,
            customerId: request.customerId
        });
    }

    function guarded(action, work) {
        try {
            return work();
        } catch (thrown) {
            throw callerErrors.toCallerError(error.create, log, action, thrown);
        }
    }

    /** @param {Object<string, string>} requestParams URL parameters, all strings */
    function get(requestParams) {
        return guarded('listing open invoices', function () {
            const request = validation.parseGetParameters(requestParams);
            return listOpenInvoices(request, request.asOf || todayInAccountZone());
        });
    }

    /** @param {Object} requestBody parsed JSON body */
    function post(requestBody) {
        return guarded('adding a customer note', function () {
            const note = validation.parseNoteBody(requestBody);
            const noteRecord = record.create({ type: record.Type.NOTE });
            noteRecord.setValue({ fieldId: 'title', value: note.title });
            noteRecord.setValue({ fieldId: 'note', value: note.note });
            noteRecord.setValue({ fieldId: 'entity', value: note.customerId });
            return { id: Number(noteRecord.save()) };
        });
    }

    return { get: get, post: post };
});

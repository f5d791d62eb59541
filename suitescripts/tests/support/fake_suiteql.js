// In-memory stand-ins for N/query answers: paged data shaped like query.PagedData, and a fake
// of the open-invoices query that applies the WHERE clause the RESTlet sends to SuiteQL.

function pagedData(rows, pageSize) {
    if (pageSize < 5 || pageSize > 1000) {
        throw new Error('SuiteQL page size must be 5..1000, got ' + pageSize);
    }
    const pageRanges = [];
    for (let index = 0; index * pageSize < rows.length; index += 1) {
        pageRanges.push({ index, size: Math.min(pageSize, rows.length - index * pageSize) });
    }
    return {
        count: rows.length,
        pageSize,
        pageRanges,
        fetch: jest.fn(({ index }) => ({
            data: { asMappedResults: () => rows.slice(index * pageSize, (index + 1) * pageSize).map((row) => ({ ...row })) }
        }))
    };
}

/**
 * Fake runSuiteQLPaged over invoice rows as SuiteQL gives them (status is BUILTIN.DF text, so
 * the SQL's status code 'A' is the text 'Open'). Checks the SQL asks for what the fake applies.
 */
function openInvoiceQuery(invoices) {
    return jest.fn(({ query, params, pageSize }) => {
        for (const predicate of ["t.type = 'CustInvc'", "t.status = 'A'", 't.foreignamountunpaid > 0', 't.id > ?', 'ORDER BY t.id']) {
            if (!query.includes(predicate)) {
                throw new Error('open-invoices SQL lacks ' + predicate + ':\n' + query);
            }
        }
        const [afterId, customerId] = params;
        if (query.includes('t.entity = ?') !== (customerId !== undefined)) {
            throw new Error('customer predicate and params disagree: ' + JSON.stringify(params));
        }
        const rows = invoices
            .filter((row) => row.status === 'Open' && Number(row.foreignamountunpaid) > 0)
            .filter((row) => Number(row.id) > afterId)
            .filter((row) => customerId === undefined || Number(row.entity) === customerId)
            .sort((a, b) => Number(a.id) - Number(b.id));
        return pagedData(rows, pageSize);
    });
}

module.exports = { pagedData, openInvoiceQuery };

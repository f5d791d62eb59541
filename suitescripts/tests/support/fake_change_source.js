// Fakes behind the change-notification script: changed rows per table answered through the
// keyset query the script sends, and the customrecord_tapns_change_progress records it keeps.
const { pagedData } = require('./fake_suiteql');

/** @param {{transaction: Array, customer: Array}} tables rows {id, last_modified} as SuiteQL gives them */
function changesQuery(tables) {
    return jest.fn(({ query, params, pageSize }) => {
        const table = /FROM (\w+) r/.exec(query)[1];
        if (table === 'transaction' && !query.includes("r.type = 'CustInvc'")) {
            throw new Error('invoice changes must filter on CustInvc');
        }
        const [after, sameSecond, lastId] = params;
        expect(after).toBe(sameSecond);
        const rows = tables[table]
            .filter((row) => row.last_modified > after || (row.last_modified === after && Number(row.id) > lastId))
            .sort((a, b) => (a.last_modified === b.last_modified ? Number(a.id) - Number(b.id) : a.last_modified < b.last_modified ? -1 : 1));
        return pagedData(rows, pageSize);
    });
}

/** Progress records in memory, wired into N/query.runSuiteQL, N/record.create and submitFields. */
function progressRecords(query, record, initial = []) {
    const records = initial.map((entry, i) => ({ id: 500 + i, ...entry }));
    query.runSuiteQL.mockImplementation(({ query: sql, params }) => {
        expect(sql).toMatch(/FROM customrecord_tapns_change_progress WHERE name = \?/);
        const found = records.filter((r) => r.name === params[0]);
        return { asMappedResults: () => found.map((r) => ({ id: String(r.id), modified: r.modified, last_id: String(r.lastId) })) };
    });
    record.create.mockImplementation(({ type }) => {
        expect(type).toBe('customrecord_tapns_change_progress');
        const fields = {};
        return {
            setValue: ({ fieldId, value }) => { fields[fieldId] = value; },
            save: () => {
                const id = 500 + records.length;
                records.push({ id, name: fields.name, modified: fields.custrecord_tapns_cp_modified, lastId: fields.custrecord_tapns_cp_last_id });
                return id;
            }
        };
    });
    record.submitFields.mockImplementation(({ type, id, values }) => {
        expect(type).toBe('customrecord_tapns_change_progress');
        const target = records.find((r) => r.id === id);
        target.modified = values.custrecord_tapns_cp_modified;
        target.lastId = values.custrecord_tapns_cp_last_id;
        return id;
    });
    return {
        records,
        of: (kind) => {
            const found = records.find((r) => r.name === 'customdeploy_tapns_change_notify_ss:' + kind);
            return found ? { modified: found.modified, lastId: found.lastId } : null;
        }
    };
}

module.exports = { changesQuery, progressRecords };

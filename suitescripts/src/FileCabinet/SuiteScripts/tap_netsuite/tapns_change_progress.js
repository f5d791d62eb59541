/**
 * Where the change-notification script keeps its progress: one customrecord_tapns_change_progress
 * record per deployment and kind, named "<deployment id>:<kind>".
 *
 * @NApiVersion 2.1
 * @NModuleScope SameAccount
 */
define(['N/query', 'N/record'], function (query, record) {
    const RECORD_TYPE = 'customrecord_tapns_change_progress';
    const MODIFIED_FIELD = 'custrecord_tapns_cp_modified';
    const LAST_ID_FIELD = 'custrecord_tapns_cp_last_id';

    /** @returns {{recordId: number, modified: string, lastId: number}|null} */
    function read(key) {
        const rows = query.runSuiteQL({
            query: 'SELECT id, ' + MODIFIED_FIELD + ' AS modified, ' + LAST_ID_FIELD + ' AS last_id FROM ' + RECORD_TYPE
                + ' WHERE name = ? ORDER BY id',
            params: [key]
        }).asMappedResults();
        if (rows.length === 0) {
            return null;
        }
        return { recordId: Number(rows[0].id), modified: String(rows[0].modified), lastId: Number(rows[0].last_id) };
    }

    /**
     * Saves progress; answers the record id to pass next time.
     * @param {string} key
     * @param {(number|null)} recordId null when no record exists yet
     * @param {{modified: string, lastId: number}} progress
     */
    function write(key, recordId, progress) {
        if (recordId !== null) {
            const values = {};
            values[MODIFIED_FIELD] = progress.modified;
            values[LAST_ID_FIELD] = progress.lastId;
            record.submitFields({ type: RECORD_TYPE, id: recordId, values: values });
            return recordId;
        }
        const progressRecord = record.create({ type: RECORD_TYPE });
        progressRecord.setValue({ fieldId: 'name', value: key });
        progressRecord.setValue({ fieldId: MODIFIED_FIELD, value: progress.modified });
        progressRecord.setValue({ fieldId: LAST_ID_FIELD, value: progress.lastId });
        return Number(progressRecord.save());
    }

    return { RECORD_TYPE: RECORD_TYPE, read: read, write: write };
});

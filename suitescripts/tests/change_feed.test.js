const changeFeed = require('SuiteScripts/tap_netsuite/lib/tapns_change_feed');
const settings = require('SuiteScripts/tap_netsuite/lib/tapns_change_settings');

describe('change feed', () => {
    test('the invoice query compares and orders by the rendered second, then id', () => {
        const sql = changeFeed.changesSql(changeFeed.KINDS[0]);
        const modified = "TO_CHAR(r.lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS')";
        expect(sql).toContain("FROM transaction r\nWHERE r.type = 'CustInvc' AND (");
        expect(sql).toContain(`(${modified} > ? OR (${modified} = ? AND r.id > ?))`);
        expect(sql.endsWith(`ORDER BY ${modified}, r.id`)).toBe(true);
        expect(changeFeed.changesSql(changeFeed.KINDS[1])).toContain('FROM customer r\nWHERE (');
    });

    test('a batch body lists id and last_modified, and progress is its last row', () => {
        const batch = changeFeed.buildBatch({ account: '123', kind: 'customer', rows: [
            { id: '7', last_modified: '2024-01-01 00:00:00' }, { id: '3', last_modified: '2024-01-01 00:00:01' }
        ] });
        expect(batch.body).toBe('{"account":"123","kind":"customer","records":[{"id":7,"last_modified":"2024-01-01 00:00:00"},'
            + '{"id":3,"last_modified":"2024-01-01 00:00:01"}]}');
        expect(batch.progress).toEqual({ modified: '2024-01-01 00:00:01', lastId: 3 });
        expect(changeFeed.changesParams(batch.progress)).toEqual(['2024-01-01 00:00:01', '2024-01-01 00:00:01', 3]);
    });

    test.each([[199, false], [200, true], ['204', true], [299, true], [300, false], [500, false], [undefined, false]])(
        'HTTP %p delivered: %p', (code, delivered) => {
            expect(changeFeed.isDelivered(code)).toBe(delivered);
        });

    test('what is signed is the whole-second timestamp, a dot and the exact body', () => {
        expect(changeFeed.signedContent(1710061205999, '{"a":1}')).toEqual({ timestamp: '1710061205', content: '1710061205.{"a":1}' });
    });

    test('signature header is lower-case hex behind sha256=', () => {
        expect(changeFeed.signatureHeader('AB12')).toBe('sha256=ab12');
    });
});

describe('scheduled script settings', () => {
    const read = (values) => (name) => values[name];
    const good = {
        custscript_tapns_cn_webhook_url: ' https://hooks.example.com/x ',
        custscript_tapns_cn_secret_id: 'custsecret_tapns_webhook'
    };

    test('defaults: batch of 200, every record on the first run', () => {
        expect(settings.readSettings(read(good))).toEqual({
            webhookUrl: 'https://hooks.example.com/x', secretId: 'custsecret_tapns_webhook', batchSize: 200, start: '1970-01-01 00:00:00'
        });
    });

    test.each([
        ['custscript_tapns_cn_batch_size', 4], ['custscript_tapns_cn_batch_size', 1001], ['custscript_tapns_cn_batch_size', 'ten'],
        ['custscript_tapns_cn_start', '2024-02-30T00:00:00'], ['custscript_tapns_cn_start', '2024-01-01 24:00:00'],
        ['custscript_tapns_cn_secret_id', ''], ['custscript_tapns_cn_webhook_url', 'ftp://x']
    ])('%s = %p is refused', (name, value) => {
        expect(() => settings.readSettings(read({ ...good, [name]: value })))
            .toThrow(expect.objectContaining({ code: 'TAPNS_INVALID_SETTING', message: expect.stringContaining(name) }));
    });

    test('batch size 5 and 1000 and a start time are accepted', () => {
        expect(settings.readSettings(read({ ...good, custscript_tapns_cn_batch_size: 5 })).batchSize).toBe(5);
        expect(settings.readSettings(read({ ...good, custscript_tapns_cn_batch_size: '1000' })).batchSize).toBe(1000);
        expect(settings.readSettings(read({ ...good, custscript_tapns_cn_start: '2024-03-10 23:59:59' })).start).toBe('2024-03-10 23:59:59');
    });
});

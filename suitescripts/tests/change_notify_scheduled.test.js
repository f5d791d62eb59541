jest.mock('N/crypto');
jest.mock('N/error');
jest.mock('N/https');
jest.mock('N/query');
jest.mock('N/record');
jest.mock('N/runtime');
jest.mock('N/task');

const nodeCrypto = require('crypto');
const crypto = require('N/crypto');
const error = require('N/error');
const https = require('N/https');
const query = require('N/query');
const record = require('N/record');
const runtime = require('N/runtime');
const task = require('N/task');
const scheduled = require('SuiteScripts/tap_netsuite/tapns_change_notify_ss');
const { installRuntime, installError } = require('./support/fake_account');
const { changesQuery, progressRecords } = require('./support/fake_change_source');

const GOLDEN = require('../fixtures/change_notification_deliveries.json');
const SECRETS = { custsecret_tapns_webhook: GOLDEN.secret };
const PARAMETERS = {
    custscript_tapns_cn_webhook_url: 'https://hooks.example.com/netsuite',
    custscript_tapns_cn_secret_id: 'custsecret_tapns_webhook',
    custscript_tapns_cn_batch_size: 5,
    custscript_tapns_cn_start: ''
};

const rows = (count, firstId, modified) => Array.from({ length: count }, (_, i) => ({ id: String(firstId + i), last_modified: modified(i) }));
const INVOICES = rows(7, 100, (i) => `2024-03-10 09:00:0${Math.floor(i / 3)}`);
const CUSTOMERS = rows(3, 10, () => '2024-03-10 08:00:00');

/** N/crypto over Node's HMAC; digest answers upper-case hex as a reminder to normalise. */
function installCrypto() {
    crypto.createSecretKey.mockImplementation(({ secret }) => ({ secret }));
    crypto.createHmac.mockImplementation(({ algorithm, key }) => {
        expect(algorithm).toBe(crypto.HashAlg.SHA256);
        const hmac = nodeCrypto.createHmac('sha256', SECRETS[key.secret]);
        return {
            update: ({ input }) => hmac.update(input, 'utf8'),
            digest: ({ outputEncoding }) => {
                expect(outputEncoding).toBe('HEX');
                return hmac.digest('hex').toUpperCase();
            }
        };
    });
}

function sentBodies() {
    return https.post.mock.calls.map(([options]) => JSON.parse(options.body));
}

let progress;
let script;

beforeEach(() => {
    jest.clearAllMocks();
    installError(error);
    installCrypto();
    script = installRuntime(runtime, { parameters: PARAMETERS });
    runtime.accountId = 'TSTDRV1234567';
    query.runSuiteQLPaged.mockImplementation(changesQuery({ transaction: INVOICES, customer: CUSTOMERS }));
    progress = progressRecords(query, record);
    https.post.mockReturnValue({ code: 200, body: 'ok' });
    task.create.mockReturnValue({ submit: jest.fn(() => 'SCHEDSCRIPT_1') });
});

test('delivers every changed invoice, then every changed customer, in signed batches', () => {
    scheduled.execute({ type: 'SCHEDULED' });
    expect(sentBodies()).toEqual([
        { account: 'TSTDRV1234567', kind: 'invoice', records: INVOICES.slice(0, 5).map((r) => ({ id: Number(r.id), last_modified: r.last_modified })) },
        { account: 'TSTDRV1234567', kind: 'invoice', records: INVOICES.slice(5).map((r) => ({ id: Number(r.id), last_modified: r.last_modified })) },
        { account: 'TSTDRV1234567', kind: 'customer', records: CUSTOMERS.map((r) => ({ id: Number(r.id), last_modified: r.last_modified })) }
    ]);
    for (const [options] of https.post.mock.calls) {
        const timestamp = options.headers['X-Tap-Netsuite-Timestamp'];
        expect(timestamp).toMatch(/^[1-9][0-9]{9}$/);
        const expected = nodeCrypto.createHmac('sha256', SECRETS.custsecret_tapns_webhook).update(timestamp + '.' + options.body).digest('hex');
        expect(options.url).toBe(PARAMETERS.custscript_tapns_cn_webhook_url);
        expect(options.headers).toEqual({
            'Content-Type': 'application/json',
            'X-Tap-Netsuite-Timestamp': timestamp,
            'X-Tap-Netsuite-Signature': 'sha256=' + expected
        });
    }
    expect(progress.of('invoice')).toEqual({ modified: '2024-03-10 09:00:02', lastId: 106 });
    expect(progress.of('customer')).toEqual({ modified: '2024-03-10 08:00:00', lastId: 12 });
    expect(task.create).not.toHaveBeenCalled();
});

test('the first run notifies changes at or after the start parameter, for each kind', () => {
    script.getParameter.mockImplementation(({ name }) => (name === 'custscript_tapns_cn_start' ? '2024-03-10 09:00:01' : PARAMETERS[name]));
    scheduled.execute({ type: 'SCHEDULED' });
    expect(query.runSuiteQLPaged.mock.calls.map(([options]) => options.params)).toEqual([
        ['2024-03-10 09:00:01', '2024-03-10 09:00:01', 0],
        ['2024-03-10 09:00:01', '2024-03-10 09:00:01', 0]
    ]);
    expect(sentBodies().map((body) => body.records.map((r) => r.id))).toEqual([[103, 104, 105, 106]]);
    expect(progress.of('customer')).toBeNull();
});

test('a batch boundary inside one second neither skips nor repeats a record', () => {
    scheduled.execute({ type: 'SCHEDULED' });
    const sent = sentBodies().filter((body) => body.kind === 'invoice').flatMap((body) => body.records.map((r) => r.id));
    expect(sent).toEqual([100, 101, 102, 103, 104, 105, 106]);
    expect(query.runSuiteQLPaged.mock.calls[1][0].params).toEqual(['2024-03-10 09:00:01', '2024-03-10 09:00:01', 104]);
});

test('progress is recorded only once the webhook answered 2xx, batch by batch', () => {
    const progressWhenPosting = [];
    https.post.mockImplementation(() => {
        progressWhenPosting.push(progress.of('invoice'));
        return { code: 204 };
    });
    scheduled.execute({ type: 'SCHEDULED' });
    expect(progressWhenPosting.slice(0, 2)).toEqual([null, { modified: '2024-03-10 09:00:01', lastId: 104 }]);
    expect(progress.records).toHaveLength(2);
});

test.each([[500], [302], [404]])('a webhook answering %i leaves progress unchanged, logs an error and stops', (code) => {
    https.post.mockReturnValue({ code, body: 'no' });
    scheduled.execute({ type: 'SCHEDULED' });
    expect(https.post).toHaveBeenCalledTimes(1);
    expect(progress.records).toEqual([]);
    expect(record.create).not.toHaveBeenCalled();
    expect(record.submitFields).not.toHaveBeenCalled();
    expect(log.error).toHaveBeenCalledWith(expect.objectContaining({ details: expect.stringContaining('HTTP ' + code) }));
    expect(task.create).not.toHaveBeenCalled();
});

test('a webhook that cannot be reached leaves progress at the last delivered batch', () => {
    https.post
        .mockReturnValueOnce({ code: 200 })
        .mockImplementationOnce(() => {
            throw Object.assign(new Error('Connection timed out'), { name: 'SSS_CONNECTION_TIME_OUT' });
        });
    scheduled.execute({ type: 'SCHEDULED' });
    expect(progress.of('invoice')).toEqual({ modified: '2024-03-10 09:00:01', lastId: 104 });
    expect(progress.of('customer')).toBeNull();
    expect(log.error).toHaveBeenCalledWith(expect.objectContaining({ details: expect.stringContaining('SSS_CONNECTION_TIME_OUT') }));
});

test('a later run resumes after the recorded progress', () => {
    progress = progressRecords(query, record, [
        { name: 'customdeploy_tapns_change_notify_ss:invoice', modified: '2024-03-10 09:00:01', lastId: 104 }
    ]);
    scheduled.execute({ type: 'SCHEDULED' });
    expect(query.runSuiteQLPaged.mock.calls[0][0].params).toEqual(['2024-03-10 09:00:01', '2024-03-10 09:00:01', 104]);
    expect(sentBodies()[0].records.map((r) => r.id)).toEqual([105, 106]);
    expect(record.submitFields).toHaveBeenCalledWith(expect.objectContaining({ id: 500 }));
    expect(progress.of('invoice')).toEqual({ modified: '2024-03-10 09:00:02', lastId: 106 });
});

test('governance running low reschedules the deployment and keeps delivered progress', () => {
    script.getRemainingUsage.mockReturnValueOnce(9000).mockReturnValue(250);
    scheduled.execute({ type: 'SCHEDULED' });
    expect(https.post).toHaveBeenCalledTimes(1);
    expect(progress.of('invoice')).toEqual({ modified: '2024-03-10 09:00:01', lastId: 104 });
    expect(task.create).toHaveBeenCalledWith({
        taskType: task.TaskType.SCHEDULED_SCRIPT,
        scriptId: 'customscript_tapns_change_notify_ss',
        deploymentId: 'customdeploy_tapns_change_notify_ss'
    });
    expect(task.create.mock.results[0].value.submit).toHaveBeenCalled();
});

test('a failed reschedule is logged, not thrown: the next scheduled run continues', () => {
    script.getRemainingUsage.mockReturnValue(10);
    task.create.mockReturnValue({ submit: () => { throw Object.assign(new Error('already queued'), { name: 'FAILED_TO_SUBMIT_JOB_REQUEST_1' }); } });
    expect(() => scheduled.execute({ type: 'SCHEDULED' })).not.toThrow();
    expect(https.post).not.toHaveBeenCalled();
    expect(log.error).toHaveBeenCalledWith(expect.objectContaining({ details: expect.stringContaining('FAILED_TO_SUBMIT_JOB_REQUEST_1') }));
});

test('nothing changed: no webhook call, no progress', () => {
    query.runSuiteQLPaged.mockImplementation(changesQuery({ transaction: [], customer: [] }));
    scheduled.execute({ type: 'SCHEDULED' });
    expect(https.post).not.toHaveBeenCalled();
    expect(progress.records).toEqual([]);
});

test.each([
    ['custscript_tapns_cn_webhook_url', 'http://insecure.example.com'],
    ['custscript_tapns_cn_webhook_url', null],
    ['custscript_tapns_cn_secret_id', 'webhook-signing-key'],
    ['custscript_tapns_cn_batch_size', 2000],
    ['custscript_tapns_cn_start', '2024-03-10']
])('a bad %s (%p) stops the run with TAPNS_INVALID_SETTING naming it', (name, value) => {
    script.getParameter.mockImplementation(({ name: asked }) => (asked === name ? value : PARAMETERS[asked]));
    expect(() => scheduled.execute({ type: 'SCHEDULED' })).toThrow(expect.objectContaining({
        name: 'TAPNS_INVALID_SETTING', message: expect.stringContaining(name)
    }));
    expect(https.post).not.toHaveBeenCalled();
});

// The deliveries the Python receiver (tap_netsuite/webhook.py) is tested with: this script must
// send exactly these bytes and headers for these rows at this instant.
describe('golden deliveries shared with the Python receiver', () => {
    afterEach(() => jest.restoreAllMocks());

    test.each(GOLDEN.cases.map((c) => [c.name, c]))('%s', (_name, golden) => {
        jest.spyOn(Date, 'now').mockReturnValue(golden.sent_at_ms);
        runtime.accountId = golden.account;
        const tables = { transaction: [], customer: [] };
        tables[golden.kind === 'invoice' ? 'transaction' : 'customer'] = golden.rows;
        query.runSuiteQLPaged.mockImplementation(changesQuery(tables));
        scheduled.execute({ type: 'SCHEDULED' });
        expect(https.post).toHaveBeenCalledTimes(1);
        const [options] = https.post.mock.calls[0];
        expect(options.body).toBe(golden.delivery.body);
        expect(options.headers).toEqual(golden.delivery.headers);
    });
});

jest.mock('N/error');
jest.mock('N/format');
jest.mock('N/query');
jest.mock('N/record');
jest.mock('N/runtime');

const path = require('path');
const error = require('N/error');
const format = require('N/format');
const query = require('N/query');
const record = require('N/record');
const runtime = require('N/runtime');
const restlet = require('SuiteScripts/tap_netsuite/tapns_open_invoices_rl');
const { openInvoiceQuery, pagedData } = require('./support/fake_suiteql');
const { installFormat, installRuntime, installError } = require('./support/fake_account');

const GOLDEN = require(path.join(__dirname, '..', 'fixtures', 'open_invoice_aging.json'));

/** Calls GET as a client does: the case's parameters, then the same plus each next_cursor. */
function followCursor(params, maxCalls = 50) {
    const pages = [restlet.get({ ...params })];
    while (pages[pages.length - 1].has_more) {
        if (pages.length >= maxCalls) {
            throw new Error('cursor never ended');
        }
        pages.push(restlet.get({ ...params, cursor: pages[pages.length - 1].next_cursor }));
    }
    return pages;
}

function thrownBy(work) {
    try {
        work();
    } catch (thrown) {
        return thrown;
    }
    throw new Error('expected a throw');
}

beforeEach(() => {
    jest.clearAllMocks();
    installError(error);
    installFormat(format);
    installRuntime(runtime);
});

afterEach(() => {
    jest.useRealTimers();
});

describe('golden cases (fixtures/open_invoice_aging.json)', () => {
    test('the file covers what the contract needs', () => {
        const names = GOLDEN.map((c) => c.name).join('\n');
        for (const topic of ['bucket boundaries', 'customer filter', 'empty result', 'paging across 3 calls', 'without duedate', 'paid']) {
            expect(names).toContain(topic);
        }
    });

    test.each(GOLDEN.map((c) => [c.name, c]))('%s', (name, goldenCase) => {
        query.runSuiteQLPaged.mockImplementation(openInvoiceQuery(goldenCase.invoices));
        expect(followCursor(goldenCase.params)).toEqual(goldenCase.expected);
    });
});

describe('GET paging and governance', () => {
    const manyInvoices = Array.from({ length: 450 }, (_, i) => ({
        id: String(1000 + i), tranid: `INV${i}`, entity: '17', trandate: '2024-05-01', duedate: '2024-05-31',
        foreigntotal: '10.00', foreignamountunpaid: '10.00', status: 'Open'
    }));

    test('reads in chunks of at most 200 rows and fills a page of 1000 across fetches', () => {
        query.runSuiteQLPaged.mockImplementation(openInvoiceQuery(manyInvoices));
        const answer = restlet.get({ as_of: '2024-06-30' });
        expect(answer.items).toHaveLength(450);
        expect(answer.has_more).toBe(false);
        expect(query.runSuiteQLPaged.mock.calls[0][0].pageSize).toBe(200);
        expect(query.runSuiteQLPaged.mock.results[0].value.fetch).toHaveBeenCalledTimes(3);
    });

    test('stops early with has_more when governance runs low, and the cursor resumes after the last item', () => {
        query.runSuiteQLPaged.mockImplementation(openInvoiceQuery(manyInvoices));
        installRuntime(runtime, { usage: [5000, 150] });
        const first = restlet.get({ as_of: '2024-06-30' });
        expect(first.items).toHaveLength(400);
        expect(first).toMatchObject({ has_more: true, next_cursor: 'v1.2024-06-30.all.1399', as_of: '2024-06-30' });
        expect(log.audit).toHaveBeenCalledWith(expect.objectContaining({ details: expect.stringMatching(/Governance low/) }));

        installRuntime(runtime, { usage: 5000 });
        const rest = restlet.get({ as_of: '2024-06-30', cursor: first.next_cursor });
        expect(rest.items.map((item) => item.id)).toEqual(manyInvoices.slice(400).map((row) => Number(row.id)));
        expect(rest.has_more).toBe(false);
        expect(query.runSuiteQLPaged.mock.calls[1][0].params).toEqual([1399]);
    });

    test('always returns at least one chunk, even when usage already reads low', () => {
        query.runSuiteQLPaged.mockImplementation(openInvoiceQuery(manyInvoices));
        installRuntime(runtime, { usage: 10 });
        const answer = restlet.get({ as_of: '2024-06-30' });
        expect(answer.items).toHaveLength(200);
        expect(answer.has_more).toBe(true);
    });

    test('small pages ask SuiteQL for its minimum page of 5 and take only page_size rows', () => {
        query.runSuiteQLPaged.mockImplementation(openInvoiceQuery(manyInvoices));
        const answer = restlet.get({ as_of: '2024-06-30', page_size: '2', customer_id: '17' });
        expect(query.runSuiteQLPaged.mock.calls[0][0]).toMatchObject({ pageSize: 5, params: [0, 17] });
        expect(answer).toMatchObject({ has_more: true, next_cursor: 'v1.2024-06-30.17.1001' });
    });

    test('a NULL column left out of the row and a leading-zero-less decimal are read', () => {
        query.runSuiteQLPaged.mockImplementation(() => pagedData([
            { id: '5', tranid: 'INV5', entity: '17', trandate: '2024-06-01', foreigntotal: '-.5', foreignamountunpaid: '.5', status: 'Open' }
        ], 200));
        expect(restlet.get({ as_of: '2024-06-30' }).items[0]).toMatchObject({ duedate: null, total: -0.5, remaining: 0.5, terms: null, memo: null });
    });
});

describe('GET without as_of ages against today in the account time zone', () => {
    function answerAt(isoInstant, timezone, dateFormat) {
        jest.useFakeTimers({ now: new Date(isoInstant) });
        installRuntime(runtime, { timezone });
        installFormat(format, dateFormat);
        query.runSuiteQLPaged.mockImplementation(openInvoiceQuery([]));
        return restlet.get({});
    }

    test('late evening in Los Angeles is still the previous day in UTC terms', () => {
        expect(answerAt('2024-03-11T05:00:00Z', 'America/Los_Angeles').as_of).toBe('2024-03-10');
    });

    test('morning in Tokyo is already the next day', () => {
        expect(answerAt('2024-03-10T20:00:00Z', 'Asia/Tokyo', 'D.M.YYYY').as_of).toBe('2024-03-11');
    });

    test('the default as_of is pinned in the cursor', () => {
        jest.useFakeTimers({ now: new Date('2024-03-11T05:00:00Z') });
        query.runSuiteQLPaged.mockImplementation(openInvoiceQuery([
            { id: '1', entity: '17', trandate: '2024-03-01', duedate: '2024-03-01', foreigntotal: '1', foreignamountunpaid: '1', status: 'Open' },
            { id: '2', entity: '17', trandate: '2024-03-01', duedate: '2024-03-01', foreigntotal: '1', foreignamountunpaid: '1', status: 'Open' }
        ]));
        const first = restlet.get({ page_size: '1' });
        jest.setSystemTime(new Date('2024-03-12T05:00:00Z'));
        const second = restlet.get({ page_size: '1', cursor: first.next_cursor });
        expect([first.as_of, second.as_of, second.items[0].days_overdue]).toEqual(['2024-03-10', '2024-03-10', 9]);
    });
});

describe('GET errors', () => {
    test.each([
        [{ customer_id: 'abc' }, 'TAPNS_INVALID_CUSTOMER_ID'],
        [{ as_of: '2024-13-01' }, 'TAPNS_INVALID_AS_OF'],
        [{ page_size: '0' }, 'TAPNS_INVALID_PAGE_SIZE'],
        [{ cursor: 'nope' }, 'TAPNS_INVALID_CURSOR']
    ])('%p throws an N/error %s with notifyOff and runs no query', (params, code) => {
        const thrown = thrownBy(() => restlet.get(params));
        expect(error.create).toHaveBeenCalledWith(expect.objectContaining({ name: code, notifyOff: true }));
        expect(thrown.name).toBe(code);
        expect(query.runSuiteQLPaged).not.toHaveBeenCalled();
    });

    test('an unexpected failure is logged and answered without stack or internals', () => {
        query.runSuiteQLPaged.mockImplementation(() => {
            throw new TypeError("Cannot read properties of undefined (reading 'secret internals')");
        });
        const thrown = thrownBy(() => restlet.get({ as_of: '2024-06-30' }));
        expect(thrown.name).toBe('TAPNS_UNEXPECTED_ERROR');
        expect(thrown.message).toMatch(/listing open invoices \(TypeError\)/);
        expect(thrown.message).not.toMatch(/secret internals|at |\.js/);
        expect(log.error).toHaveBeenCalledWith(expect.objectContaining({ details: expect.stringContaining('secret internals') }));
    });

    test('a malformed row from SuiteQL is an unexpected error, not a wrong answer', () => {
        query.runSuiteQLPaged.mockImplementation(() => pagedData([{ id: '5', entity: '17', duedate: '06/01/2024', foreignamountunpaid: '1', status: 'Open' }], 200));
        expect(thrownBy(() => restlet.get({ as_of: '2024-06-30' })).name).toBe('TAPNS_UNEXPECTED_ERROR');
    });
});

describe('POST adds a note to a customer', () => {
    function noteRecord(id = 9001) {
        const created = { setValue: jest.fn(), save: jest.fn(() => id) };
        record.create.mockReturnValue(created);
        return created;
    }

    test('creates a note record with title, note and entity and answers its id', () => {
        const created = noteRecord();
        expect(restlet.post({ title: 'Call back', note: 'Promised Friday', customer_id: '42' })).toEqual({ id: 9001 });
        expect(record.create).toHaveBeenCalledWith({ type: 'note' });
        expect(created.setValue.mock.calls.map(([arg]) => arg)).toEqual([
            { fieldId: 'title', value: 'Call back' },
            { fieldId: 'note', value: 'Promised Friday' },
            { fieldId: 'entity', value: 42 }
        ]);
    });

    test.each([
        [{ note: 'x', customer_id: 1 }, 'TAPNS_INVALID_TITLE'],
        [{ title: 'x', note: '', customer_id: 1 }, 'TAPNS_INVALID_NOTE'],
        [{ title: 'x', note: 'y', customer_id: -1 }, 'TAPNS_INVALID_CUSTOMER_ID'],
        ['title=x', 'TAPNS_INVALID_BODY']
    ])('%p is refused with %s and creates nothing', (body, code) => {
        expect(thrownBy(() => restlet.post(body)).name).toBe(code);
        expect(record.create).not.toHaveBeenCalled();
    });

    test('a NetSuite failure while saving is wrapped', () => {
        const created = noteRecord();
        created.save.mockImplementation(() => {
            throw Object.assign(new Error('Invalid entity reference key 999999'), { name: 'INVALID_KEY_OR_REF' });
        });
        const thrown = thrownBy(() => restlet.post({ title: 'x', note: 'y', customer_id: 999999 }));
        expect(thrown.name).toBe('TAPNS_UNEXPECTED_ERROR');
        expect(thrown.message).toMatch(/adding a customer note \(INVALID_KEY_OR_REF\)/);
    });
});

const cursors = require('SuiteScripts/tap_netsuite/lib/tapns_cursor');
const validation = require('SuiteScripts/tap_netsuite/lib/tapns_request_validation');
const { ParameterError } = require('SuiteScripts/tap_netsuite/lib/tapns_parameter_error');

function codeOf(work) {
    try {
        work();
    } catch (thrown) {
        expect(thrown).toBeInstanceOf(ParameterError);
        return thrown.code;
    }
    throw new Error('expected a ParameterError');
}

describe('cursor', () => {
    test.each([
        [{ asOf: '2024-06-30', customerId: null, afterId: 503 }, 'v1.2024-06-30.all.503'],
        [{ asOf: '2024-06-30', customerId: 42, afterId: 7 }, 'v1.2024-06-30.42.7']
    ])('round trip of %p', (position, text) => {
        expect(cursors.encodeCursor(position)).toBe(text);
        expect(cursors.decodeCursor(text)).toEqual(position);
    });

    test.each(['', 'v2.2024-06-30.all.5', 'v1.2024-02-30.all.5', 'v1.2024-06-30.0.5', 'v1.2024-06-30.all.0',
        'v1.2024-06-30.all.05', 'v1.2024-06-30.all', 'v1.2024-06-30.all.5.', 'djEuMjAyNC0wNi0zMC5hbGwuNQ', null])(
        'refuses %p', (text) => {
            expect(cursors.decodeCursor(text)).toBeNull();
        });
});

describe('GET parameters', () => {
    test('defaults: all customers, today, first page of 1000', () => {
        expect(validation.parseGetParameters({ script: '12', deploy: '1' }))
            .toEqual({ customerId: null, asOf: null, afterId: 0, pageSize: 1000 });
    });

    test('explicit values', () => {
        expect(validation.parseGetParameters({ customer_id: '42', as_of: '2024-06-30', page_size: '1' }))
            .toEqual({ customerId: 42, asOf: '2024-06-30', afterId: 0, pageSize: 1 });
    });

    test('a cursor supplies as_of, customer and position', () => {
        expect(validation.parseGetParameters({ cursor: 'v1.2024-06-30.42.9', page_size: '2' }))
            .toEqual({ customerId: 42, asOf: '2024-06-30', afterId: 9, pageSize: 2 });
        expect(validation.parseGetParameters({ cursor: 'v1.2024-06-30.42.9', customer_id: '42', as_of: '2024-06-30' }))
            .toEqual({ customerId: 42, asOf: '2024-06-30', afterId: 9, pageSize: 1000 });
    });

    test.each([
        [{ customer_id: 'abc' }, 'TAPNS_INVALID_CUSTOMER_ID'],
        [{ customer_id: '0' }, 'TAPNS_INVALID_CUSTOMER_ID'],
        [{ customer_id: '-4' }, 'TAPNS_INVALID_CUSTOMER_ID'],
        [{ customer_id: '' }, 'TAPNS_INVALID_CUSTOMER_ID'],
        [{ as_of: '06/30/2024' }, 'TAPNS_INVALID_AS_OF'],
        [{ as_of: '2024-02-30' }, 'TAPNS_INVALID_AS_OF'],
        [{ page_size: '0' }, 'TAPNS_INVALID_PAGE_SIZE'],
        [{ page_size: '1001' }, 'TAPNS_INVALID_PAGE_SIZE'],
        [{ page_size: '2.5' }, 'TAPNS_INVALID_PAGE_SIZE'],
        [{ cursor: 'garbage' }, 'TAPNS_INVALID_CURSOR'],
        [{ cursor: 'v1.2024-06-30.42.9', customer_id: '17' }, 'TAPNS_INVALID_CURSOR'],
        [{ cursor: 'v1.2024-06-30.all.9', customer_id: '17' }, 'TAPNS_INVALID_CURSOR'],
        [{ cursor: 'v1.2024-06-30.all.9', as_of: '2024-07-01' }, 'TAPNS_INVALID_CURSOR']
    ])('%p -> %s', (params, code) => {
        expect(codeOf(() => validation.parseGetParameters(params))).toBe(code);
    });

    test('messages name the parameter and the fix', () => {
        expect(() => validation.parseGetParameters({ page_size: '5000' })).toThrow(/page_size 5000 .*from 1 to 1000/);
        expect(() => validation.parseGetParameters({ as_of: 'today' })).toThrow(/as_of must be .*YYYY-MM-DD.*"today"/);
        expect(() => validation.parseGetParameters({ customer_id: 'x' })).toThrow(/customer_id .*leave customer_id out/);
    });
});

describe('POST body', () => {
    const good = { title: 'Call back', note: 'Promised payment Friday.', customer_id: 42 };

    test('accepts a good body, customer_id as number or digit string', () => {
        expect(validation.parseNoteBody(good)).toEqual({ title: 'Call back', note: 'Promised payment Friday.', customerId: 42 });
        expect(validation.parseNoteBody({ ...good, customer_id: '42' }).customerId).toBe(42);
    });

    test('length limits are inclusive', () => {
        const longest = { ...good, title: 't'.repeat(validation.MAX_TITLE_LENGTH), note: 'n'.repeat(validation.MAX_NOTE_LENGTH) };
        expect(validation.parseNoteBody(longest).title).toHaveLength(200);
    });

    test.each([
        [null, 'TAPNS_INVALID_BODY'],
        ['{"title": "x"}', 'TAPNS_INVALID_BODY'],
        [[good], 'TAPNS_INVALID_BODY'],
        [{ ...good, extra: 1 }, 'TAPNS_INVALID_BODY'],
        [{ ...good, title: undefined }, 'TAPNS_INVALID_TITLE'],
        [{ ...good, title: '   ' }, 'TAPNS_INVALID_TITLE'],
        [{ ...good, title: 7 }, 'TAPNS_INVALID_TITLE'],
        [{ ...good, title: 't'.repeat(201) }, 'TAPNS_INVALID_TITLE'],
        [{ ...good, note: '' }, 'TAPNS_INVALID_NOTE'],
        [{ ...good, note: 'n'.repeat(4001) }, 'TAPNS_INVALID_NOTE'],
        [{ ...good, customer_id: 0 }, 'TAPNS_INVALID_CUSTOMER_ID'],
        [{ ...good, customer_id: 4.2 }, 'TAPNS_INVALID_CUSTOMER_ID'],
        [{ ...good, customer_id: '4x' }, 'TAPNS_INVALID_CUSTOMER_ID'],
        [{ title: 'a', note: 'b' }, 'TAPNS_INVALID_CUSTOMER_ID']
    ])('%p -> %s', (body, code) => {
        expect(codeOf(() => validation.parseNoteBody(body))).toBe(code);
    });
});

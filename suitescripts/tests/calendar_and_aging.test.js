const calendar = require('SuiteScripts/tap_netsuite/lib/tapns_calendar');
const aging = require('SuiteScripts/tap_netsuite/lib/tapns_aging');

const date = (text) => calendar.parseIsoDate(text);

describe('parseIsoDate', () => {
    test('reads YYYY-MM-DD into calendar fields', () => {
        expect(date('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
    });

    test.each(['2023-02-29', '2024-13-01', '2024-00-10', '2024-04-31', '2024-4-01', '20240401', '2024-04-01T00:00:00', ' 2024-04-01', '', null, 20240401])(
        'refuses %p', (text) => {
            expect(calendar.parseIsoDate(text)).toBeNull();
        });

    test('formats back to the same text', () => {
        expect(calendar.formatIsoDate(date('0999-01-05'))).toBe('0999-01-05');
    });
});

describe('whole calendar days', () => {
    test('day numbers match the Unix epoch', () => {
        expect(calendar.dayNumber(date('1970-01-01'))).toBe(0);
        expect(calendar.dayNumber(date('2000-03-01'))).toBe(11017);
        expect(calendar.dayNumber(date('1969-12-31'))).toBe(-1);
    });

    test('the tests run in a zone whose Date arithmetic is off across daylight saving', () => {
        const hours = (new Date(2024, 2, 11) - new Date(2024, 2, 9)) / 3600000;
        expect(hours).toBe(47);
    });

    test.each([
        ['2024-03-09', '2024-03-11', 2, 'spring forward (23-hour day)'],
        ['2024-03-10', '2024-03-11', 1, 'the short day itself'],
        ['2024-11-02', '2024-11-04', 2, 'fall back (25-hour day)'],
        ['2024-02-28', '2024-03-01', 2, 'leap day'],
        ['2023-12-31', '2024-01-01', 1, 'new year'],
        ['2024-06-30', '2024-06-01', -29, 'backwards']
    ])('%s to %s is %i days (%s)', (from, to, days) => {
        expect(calendar.daysBetween(date(from), date(to))).toBe(days);
    });

    test('agrees with UTC day counting over four years of dates', () => {
        const start = Date.UTC(2022, 0, 1);
        for (let offset = 0; offset < 1461; offset += 1) {
            const text = new Date(start + offset * 86400000).toISOString().slice(0, 10);
            expect(calendar.dayNumber(date(text))).toBe(Math.round((start + offset * 86400000) / 86400000));
        }
    });
});

describe('aging', () => {
    test.each([
        [-5, 'current'], [0, 'current'], [1, '1-30'], [30, '1-30'], [31, '31-60'], [60, '31-60'],
        [61, '61-90'], [90, '61-90'], [91, '90+'], [400, '90+']
    ])('%i days overdue is %s', (days, bucket) => {
        expect(aging.agingBucket(days)).toBe(bucket);
    });

    test.each([
        ['2024-06-30', 0], ['2024-06-29', 1], ['2024-05-31', 30], ['2024-05-30', 31], ['2024-05-01', 60],
        ['2024-04-30', 61], ['2024-04-01', 90], ['2024-03-31', 91], ['2024-07-05', 0]
    ])('due %s, as of 2024-06-30: %i days overdue', (due, days) => {
        expect(aging.daysOverdue(date(due), date('2024-06-30'))).toBe(days);
    });

    test('an invoice across the spring daylight-saving change ages by calendar days', () => {
        const days = aging.daysOverdue(date('2024-02-10'), date('2024-03-11'));
        expect([days, aging.agingBucket(days)]).toEqual([30, '1-30']);
    });

    test('no due date means 0 days, current', () => {
        expect(aging.daysOverdue(null, date('2024-06-30'))).toBe(0);
    });
});

describe('reading N/format output', () => {
    test.each([
        ['3/10/2024 10:05:00 pm', '3/10/2024'],
        ['10.3.2024 22:05', '10.3.2024'],
        ['10 March, 2024 10:05 AM', '10 March, 2024'],
        ['2024-03-10', '2024-03-10']
    ])('stripTimeOfDay(%p) is %p', (text, expected) => {
        expect(calendar.stripTimeOfDay(text)).toBe(expected);
    });

    test('calendar date of a Date from format.parse is its local fields', () => {
        expect(calendar.calendarDateOfLocalFields(new Date(2024, 2, 10))).toEqual({ year: 2024, month: 3, day: 10 });
    });
});

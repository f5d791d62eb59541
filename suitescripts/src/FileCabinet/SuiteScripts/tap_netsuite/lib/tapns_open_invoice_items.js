/**
 * Turns invoice rows as SuiteQL answers them (every value a string, NULL columns missing) into
 * the RESTlet's items, and assembles the answer with its continuation cursor.
 *
 * @NApiVersion 2.1
 * @NModuleScope SameAccount
 */
define(['./tapns_calendar', './tapns_aging', './tapns_cursor'], function (calendar, aging, cursors) {
    const INTEGER = /^\d+$/;
    const DECIMAL = /^-?(\d+\.?\d*|\.\d+)$/;

    function isAbsent(value) {
        return value === undefined || value === null || value === '';
    }

    function textOrNull(value) {
        return isAbsent(value) ? null : String(value);
    }

    function integer(row, column) {
        const value = String(row[column]);
        if (!INTEGER.test(value)) {
            throw new TypeError('Invoice row column ' + column + ' is not an integer: ' + JSON.stringify(row[column]));
        }
        return Number(value);
    }

    function amountOrNull(row, column) {
        if (isAbsent(row[column])) {
            return null;
        }
        const value = String(row[column]);
        if (!DECIMAL.test(value)) {
            throw new TypeError('Invoice row column ' + column + ' is not a number: ' + JSON.stringify(row[column]));
        }
        return Number(value);
    }

    function dateOrNull(row, column) {
        if (isAbsent(row[column])) {
            return null;
        }
        const date = calendar.parseIsoDate(String(row[column]));
        if (!date) {
            throw new TypeError('Invoice row column ' + column + ' is not YYYY-MM-DD: ' + JSON.stringify(row[column]));
        }
        return date;
    }

    /**
     * @param {Object<string, string>} row id, tranid, entity, trandate, duedate, foreigntotal,
     *     foreignamountunpaid, status, terms, memo
     * @param {{year: number, month: number, day: number}} asOf
     */
    function toItem(row, asOf) {
        const dueDate = dateOrNull(row, 'duedate');
        const tranDate = dateOrNull(row, 'trandate');
        const days = aging.daysOverdue(dueDate, asOf);
        return {
            id: integer(row, 'id'),
            tranid: textOrNull(row.tranid),
            customer_id: integer(row, 'entity'),
            trandate: tranDate ? calendar.formatIsoDate(tranDate) : null,
            duedate: dueDate ? calendar.formatIsoDate(dueDate) : null,
            total: amountOrNull(row, 'foreigntotal'),
            remaining: amountOrNull(row, 'foreignamountunpaid'),
            status: textOrNull(row.status),
            terms: textOrNull(row.terms),
            memo: textOrNull(row.memo),
            days_overdue: days,
            aging_bucket: aging.agingBucket(days)
        };
    }

    /**
     * @param {{items: Object[], hasMore: boolean, asOf: string, customerId: (number|null)}} page
     */
    function buildAnswer(page) {
        const last = page.items[page.items.length - 1];
        const nextCursor = page.hasMore && last
            ? cursors.encodeCursor({ asOf: page.asOf, customerId: page.customerId, afterId: last.id })
            : null;
        return { items: page.items, has_more: nextCursor !== null, next_cursor: nextCursor, as_of: page.asOf };
    }

    return { toItem: toItem, buildAnswer: buildAnswer };
});

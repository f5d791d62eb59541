/**
 * Continuation cursor of the open-invoices RESTlet: "v1.<as_of>.<customer_id|all>.<last_id>".
 * Readable on purpose (the Python emulator builds the same text); callers treat it as opaque.
 * It pins as_of and the customer filter, so a listing that crosses midnight stays one listing.
 *
 * @NApiVersion 2.1
 * @NModuleScope SameAccount
 */
define(['./tapns_calendar'], function (calendar) {
    const CURSOR = /^v1\.(\d{4}-\d{2}-\d{2})\.(all|[1-9]\d{0,14})\.([1-9]\d{0,14})$/;

    /** @param {{asOf: string, customerId: (number|null), afterId: number}} position */
    function encodeCursor(position) {
        const customer = position.customerId === null ? 'all' : String(position.customerId);
        return ['v1', position.asOf, customer, String(position.afterId)].join('.');
    }

    /** Answers {asOf, customerId, afterId}, or null when the text is not a cursor. */
    function decodeCursor(text) {
        const match = typeof text === 'string' ? CURSOR.exec(text) : null;
        if (!match || !calendar.parseIsoDate(match[1])) {
            return null;
        }
        return {
            asOf: match[1],
            customerId: match[2] === 'all' ? null : Number(match[2]),
            afterId: Number(match[3])
        };
    }

    return { encodeCursor: encodeCursor, decodeCursor: decodeCursor };
});

/**
 * Validation of the open-invoices RESTlet's GET parameters and POST body. Every failure is a
 * ParameterError whose code names the parameter and whose message says how to fix it.
 *
 * @NApiVersion 2.1
 * @NModuleScope SameAccount
 */
define(['./tapns_calendar', './tapns_cursor', './tapns_parameter_error'], function (calendar, cursors, errors) {
    const ParameterError = errors.ParameterError;
    const POSITIVE_INTEGER = /^[1-9]\d{0,14}$/;
    const DEFAULT_PAGE_SIZE = 1000;
    const MAX_PAGE_SIZE = 1000;
    const MAX_TITLE_LENGTH = 200;
    const MAX_NOTE_LENGTH = 4000;
    const NOTE_FIELDS = ['title', 'note', 'customer_id'];

    function shown(value) {
        return JSON.stringify(value === undefined ? null : value);
    }

    function positiveIntegerText(name, value, code, hint) {
        if (typeof value !== 'string' || !POSITIVE_INTEGER.test(value)) {
            throw new ParameterError(code, name + ' must be a positive whole number such as 42; got ' + shown(value) + '. ' + hint);
        }
        return Number(value);
    }

    function parseCustomerId(value) {
        if (value === undefined) {
            return null;
        }
        return positiveIntegerText('customer_id', value, 'TAPNS_INVALID_CUSTOMER_ID',
            "Use the customer's internal id, or leave customer_id out to list every customer.");
    }

    function parseAsOf(value) {
        if (value === undefined) {
            return null;
        }
        if (!calendar.parseIsoDate(value)) {
            throw new ParameterError('TAPNS_INVALID_AS_OF', 'as_of must be a calendar date written YYYY-MM-DD such as 2024-03-31; got '
                + shown(value) + ". Leave as_of out to age against today in the account's time zone.");
        }
        return value;
    }

    function parsePageSize(value) {
        if (value === undefined) {
            return DEFAULT_PAGE_SIZE;
        }
        const hint = 'Send a whole number from 1 to ' + MAX_PAGE_SIZE + ', or leave page_size out for ' + DEFAULT_PAGE_SIZE + '.';
        const size = positiveIntegerText('page_size', value, 'TAPNS_INVALID_PAGE_SIZE', hint);
        if (size > MAX_PAGE_SIZE) {
            throw new ParameterError('TAPNS_INVALID_PAGE_SIZE', 'page_size ' + size + ' is above the maximum. ' + hint);
        }
        return size;
    }

    function parseCursor(value, customerId, asOf) {
        if (value === undefined) {
            return null;
        }
        const position = cursors.decodeCursor(value);
        if (!position) {
            throw new ParameterError('TAPNS_INVALID_CURSOR', 'cursor ' + shown(value) + ' is not a cursor this RESTlet issued. '
                + "Send next_cursor from the previous answer unchanged, or leave cursor out to start from the first invoice.");
        }
        if (customerId !== null && customerId !== position.customerId) {
            throw new ParameterError('TAPNS_INVALID_CURSOR', 'cursor belongs to a listing of customer_id '
                + (position.customerId === null ? '(all customers)' : position.customerId) + ', not ' + customerId
                + '. Repeat the first call\'s parameters with the cursor, or start again without cursor.');
        }
        if (asOf !== null && asOf !== position.asOf) {
            throw new ParameterError('TAPNS_INVALID_CURSOR', 'cursor belongs to a listing as of ' + position.asOf + ', not ' + asOf
                + ". Repeat the first call's parameters with the cursor, or start again without cursor.");
        }
        return position;
    }

    /**
     * GET parameters (all strings, as NetSuite hands them over) to
     * {customerId: number|null, asOf: 'YYYY-MM-DD'|null, afterId: number, pageSize: number}.
     * asOf null means "today in the account's zone"; a cursor supplies customerId and asOf.
     */
    function parseGetParameters(params) {
        const given = params || {};
        const customerId = parseCustomerId(given.customer_id);
        const asOf = parseAsOf(given.as_of);
        const pageSize = parsePageSize(given.page_size);
        const position = parseCursor(given.cursor, customerId, asOf);
        if (position) {
            return { customerId: position.customerId, asOf: position.asOf, afterId: position.afterId, pageSize: pageSize };
        }
        return { customerId: customerId, asOf: asOf, afterId: 0, pageSize: pageSize };
    }

    function requiredText(body, name, code, maxLength) {
        const value = body[name];
        if (typeof value !== 'string' || value.trim() === '') {
            throw new ParameterError(code, name + ' must be a non-empty string; got ' + shown(value) + '.');
        }
        if (value.length > maxLength) {
            throw new ParameterError(code, name + ' is ' + value.length + ' characters long; shorten it to at most ' + maxLength + '.');
        }
        return value;
    }

    function noteCustomerId(value) {
        const hint = "Use the customer's internal id.";
        if (typeof value === 'number') {
            if (!Number.isSafeInteger(value) || value < 1) {
                throw new ParameterError('TAPNS_INVALID_CUSTOMER_ID', 'customer_id must be a positive whole number such as 42; got ' + shown(value) + '. ' + hint);
            }
            return value;
        }
        return positiveIntegerText('customer_id', value, 'TAPNS_INVALID_CUSTOMER_ID', hint);
    }

    /** POST body {title, note, customer_id} to {title, note, customerId}. */
    function parseNoteBody(body) {
        if (body === null || typeof body !== 'object' || Array.isArray(body)) {
            throw new ParameterError('TAPNS_INVALID_BODY', 'The body must be a JSON object {"title": ..., "note": ..., "customer_id": ...} '
                + 'sent with Content-Type: application/json.');
        }
        const unknown = Object.keys(body).filter(function (key) { return NOTE_FIELDS.indexOf(key) < 0; });
        if (unknown.length > 0) {
            throw new ParameterError('TAPNS_INVALID_BODY', 'Unknown field(s) ' + unknown.join(', ') + '; the body takes only ' + NOTE_FIELDS.join(', ') + '.');
        }
        return {
            title: requiredText(body, 'title', 'TAPNS_INVALID_TITLE', MAX_TITLE_LENGTH),
            note: requiredText(body, 'note', 'TAPNS_INVALID_NOTE', MAX_NOTE_LENGTH),
            customerId: noteCustomerId(body.customer_id)
        };
    }

    return {
        DEFAULT_PAGE_SIZE: DEFAULT_PAGE_SIZE,
        MAX_PAGE_SIZE: MAX_PAGE_SIZE,
        MAX_TITLE_LENGTH: MAX_TITLE_LENGTH,
        MAX_NOTE_LENGTH: MAX_NOTE_LENGTH,
        parseGetParameters: parseGetParameters,
        parseNoteBody: parseNoteBody
    };
});

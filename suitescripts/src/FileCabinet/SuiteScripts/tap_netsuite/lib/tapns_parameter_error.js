/**
 * A caller mistake found by pure validation code. Entry points turn it into an N/error error
 * with the same name and message, so the caller sees {"error": {"code": name, ...}}.
 *
 * @NApiVersion 2.1
 * @NModuleScope SameAccount
 */
define([], function () {
    class ParameterError extends Error {
        constructor(code, message) {
            super(message);
            this.name = code;
            this.code = code;
        }
    }

    return { ParameterError: ParameterError };
});

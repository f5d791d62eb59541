/**
 * Turns whatever an entry point threw into an error fit for the caller: ParameterErrors become
 * N/error errors with their code; anything unexpected is logged here and replaced by
 * TAPNS_UNEXPECTED_ERROR so that no stack trace or internal message leaves NetSuite.
 * Takes N/error's create function as an argument to stay free of N/ imports.
 *
 * @NApiVersion 2.1
 * @NModuleScope SameAccount
 */
define(['./tapns_parameter_error'], function (errors) {
    function describe(thrown) {
        if (thrown && typeof thrown === 'object') {
            return JSON.stringify({ name: thrown.name, message: thrown.message, stack: thrown.stack });
        }
        return String(thrown);
    }

    /**
     * @param {function(Object): Error} createError N/error's error.create
     * @param {{error: function(Object)}} logger NetSuite's global log
     * @param {string} action what the script was doing, for the caller's message
     * @param {*} thrown
     */
    function toCallerError(createError, logger, action, thrown) {
        if (thrown instanceof errors.ParameterError) {
            return createError({ name: thrown.code, message: thrown.message, notifyOff: true });
        }
        logger.error({ title: 'tap-netsuite: ' + action + ' failed', details: describe(thrown) });
        const kind = thrown && typeof thrown.name === 'string' ? thrown.name : typeof thrown;
        return createError({
            name: 'TAPNS_UNEXPECTED_ERROR',
            message: 'Unexpected failure while ' + action + ' (' + kind + '). The execution log of this script deployment '
                + 'has the details; retry later, and report it if it persists.',
            notifyOff: true
        });
    }

    return { toCallerError: toCallerError };
});

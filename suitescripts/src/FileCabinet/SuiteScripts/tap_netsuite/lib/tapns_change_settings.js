/**
 * Script parameters of the change-notification scheduled script, checked before any work.
 *
 * @NApiVersion 2.1
 * @NModuleScope SameAccount
 */
define(['./tapns_parameter_error'], function (errors) {
    const ParameterError = errors.ParameterError;
    const PARAMETER_IDS = {
        webhookUrl: 'custscript_tapns_cn_webhook_url',
        secretId: 'custscript_tapns_cn_secret_id',
        batchSize: 'custscript_tapns_cn_batch_size',
        start: 'custscript_tapns_cn_start'
    };
    const DEFAULT_BATCH_SIZE = 200;
    const MIN_BATCH_SIZE = 5;
    const MAX_BATCH_SIZE = 1000;
    const BEGINNING = '1970-01-01 00:00:00';
    const TIMESTAMP = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/;

    function isBlank(value) {
        return value === undefined || value === null || String(value).trim() === '';
    }

    function invalid(parameter, message) {
        return new ParameterError('TAPNS_INVALID_SETTING', 'Script parameter ' + PARAMETER_IDS[parameter] + ': ' + message);
    }

    function webhookUrl(value) {
        if (isBlank(value) || !/^https:\/\/[^\s/]+/i.test(String(value).trim())) {
            throw invalid('webhookUrl', 'set it to the https:// URL that receives the change notifications.');
        }
        return String(value).trim();
    }

    function secretId(value) {
        if (isBlank(value) || !/^custsecret[a-z0-9_]+$/i.test(String(value).trim())) {
            throw invalid('secretId', 'set it to the ID of an API secret (Setup > Company > API Secrets, such as '
                + 'custsecret_tapns_webhook) that holds the webhook signing key and allows this script.');
        }
        return String(value).trim();
    }

    function batchSize(value) {
        if (isBlank(value)) {
            return DEFAULT_BATCH_SIZE;
        }
        const size = Number(value);
        if (!Number.isInteger(size) || size < MIN_BATCH_SIZE || size > MAX_BATCH_SIZE) {
            throw invalid('batchSize', 'use a whole number from ' + MIN_BATCH_SIZE + ' to ' + MAX_BATCH_SIZE
                + ', or leave it empty for ' + DEFAULT_BATCH_SIZE + '; got ' + JSON.stringify(value) + '.');
        }
        return size;
    }

    function start(value) {
        if (isBlank(value)) {
            return BEGINNING;
        }
        const text = String(value).trim();
        if (!TIMESTAMP.test(text)) {
            throw invalid('start', "write it as YYYY-MM-DD HH:MM:SS in the account's time zone, or leave it empty to "
                + 'notify every record on the first run; got ' + JSON.stringify(value) + '.');
        }
        return text;
    }

    /** @param {function(string): *} readParameter reads a script parameter by id */
    function readSettings(readParameter) {
        return {
            webhookUrl: webhookUrl(readParameter(PARAMETER_IDS.webhookUrl)),
            secretId: secretId(readParameter(PARAMETER_IDS.secretId)),
            batchSize: batchSize(readParameter(PARAMETER_IDS.batchSize)),
            start: start(readParameter(PARAMETER_IDS.start))
        };
    }

    return { PARAMETER_IDS: PARAMETER_IDS, DEFAULT_BATCH_SIZE: DEFAULT_BATCH_SIZE, BEGINNING: BEGINNING, readSettings: readSettings };
});

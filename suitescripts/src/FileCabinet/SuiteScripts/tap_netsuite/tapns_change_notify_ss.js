/**
 * Change-notification scheduled script of tap-netsuite: posts the invoices and customers changed
 * since the last delivered batch to a webhook, signed with HMAC-SHA256, in batches; records
 * progress only after a 2xx answer, and reschedules itself when governance units run low.
 *
 * @NApiVersion 2.1
 * @NScriptType ScheduledScript
 * @NModuleScope SameAccount
 */
define([
    'N/crypto', 'N/encode', 'N/error', 'N/https', 'N/query', 'N/runtime', 'N/task',
    './tapns_change_progress', './lib/tapns_change_feed', './lib/tapns_change_settings', './lib/tapns_caller_errors'
], function (crypto, encode, error, https, query, runtime, task, progressStore, changeFeed, changeSettings, callerErrors) {
    /** Units one batch may need: query, page fetch, webhook post, progress write, with margin. */
    const USAGE_PER_BATCH = 300;
    const LOG_TITLE = 'tap-netsuite change notification';

    /** The delivery's headers: its timestamp and the HMAC-SHA256 of "<timestamp>.<body>". */
    function signedHeaders(secretId, body) {
        const signed = changeFeed.signedContent(Date.now(), body);
        const key = crypto.createSecretKey({ secret: secretId, encoding: encode.Encoding.UTF_8 });
        const hmac = crypto.createHmac({ algorithm: crypto.HashAlg.SHA256, key: key });
        hmac.update({ input: signed.content, inputEncoding: encode.Encoding.UTF_8 });
        return {
            'Content-Type': 'application/json',
            'X-Tap-Netsuite-Timestamp': signed.timestamp,
            'X-Tap-Netsuite-Signature': changeFeed.signatureHeader(hmac.digest({ outputEncoding: encode.Encoding.HEX }))
        };
    }

    function fetchChanges(kind, progress, batchSize) {
        const paged = query.runSuiteQLPaged({
            query: changeFeed.changesSql(kind),
            params: changeFeed.changesParams(progress),
            pageSize: batchSize
        });
        if (paged.pageRanges.length === 0) {
            return [];
        }
        return paged.fetch({ index: paged.pageRanges[0].index }).data.asMappedResults();
    }

    /** Answers true only when the webhook answered 2xx; logs every failure. */
    function deliver(settings, kindName, body) {
        let response;
        try {
            response = https.post({
                url: settings.webhookUrl,
                body: body,
                headers: signedHeaders(settings.secretId, body)
            });
        } catch (thrown) {
            log.error({ title: LOG_TITLE, details: 'Posting ' + kindName + ' changes failed (' + thrown.name + ': ' + thrown.message
                + '); progress unchanged, the next run retries.' });
            return false;
        }
        if (!changeFeed.isDelivered(response.code)) {
            log.error({ title: LOG_TITLE, details: 'Webhook answered HTTP ' + response.code + ' to ' + kindName
                + ' changes; progress unchanged, the next run retries.' });
            return false;
        }
        return true;
    }

    /** Sends one kind's changes batch by batch. Answers 'done', 'failed' or 'low_usage'. */
    function drain(kind, settings, script) {
        const key = changeFeed.progressKey(script.deploymentId, kind.name);
        const stored = progressStore.read(key);
        let recordId = stored ? stored.recordId : null;
        let progress = stored ? { modified: stored.modified, lastId: stored.lastId } : { modified: settings.start, lastId: 0 };
        for (;;) {
            if (script.getRemainingUsage() < USAGE_PER_BATCH) {
                return 'low_usage';
            }
            const rows = fetchChanges(kind, progress, settings.batchSize);
            if (rows.length === 0) {
                return 'done';
            }
            const batch = changeFeed.buildBatch({ account: runtime.accountId, kind: kind.name, rows: rows });
            if (!deliver(settings, kind.name, batch.body)) {
                return 'failed';
            }
            progress = batch.progress;
            recordId = progressStore.write(key, recordId, progress);
            log.audit({ title: LOG_TITLE, details: 'Delivered ' + rows.length + ' ' + kind.name + ' changes up to '
                + progress.modified + ' / ' + progress.lastId });
            if (rows.length < settings.batchSize) {
                return 'done';
            }
        }
    }

    function reschedule(script) {
        try {
            const taskId = task.create({
                taskType: task.TaskType.SCHEDULED_SCRIPT,
                scriptId: script.id,
                deploymentId: script.deploymentId
            }).submit();
            log.audit({ title: LOG_TITLE, details: 'Governance low; rescheduled as task ' + taskId });
        } catch (thrown) {
            log.error({ title: LOG_TITLE, details: 'Governance low and rescheduling failed (' + thrown.name + ': ' + thrown.message
                + '); the next scheduled run continues from the recorded progress.' });
        }
    }

    function run() {
        const script = runtime.getCurrentScript();
        const settings = changeSettings.readSettings(function (name) {
            return script.getParameter({ name: name });
        });
        for (let i = 0; i < changeFeed.KINDS.length; i += 1) {
            const outcome = drain(changeFeed.KINDS[i], settings, script);
            if (outcome === 'failed') {
                return;
            }
            if (outcome === 'low_usage') {
                reschedule(script);
                return;
            }
        }
    }

    function execute() {
        try {
            run();
        } catch (thrown) {
            throw callerErrors.toCallerError(error.create, log, 'sending change notifications', thrown);
        }
    }

    return { execute: execute };
});

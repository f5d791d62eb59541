// Fakes of what the account supplies: the user's time zone and date-format preference behind
// N/format, the governance meter behind N/runtime, and N/error's error objects.

const DATE_FORMATS = {
    'M/D/YYYY': { write: (y, m, d) => `${m}/${d}/${y}`, read: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, order: ['m', 'd', 'y'] },
    'D.M.YYYY': { write: (y, m, d) => `${d}.${m}.${y}`, read: /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/, order: ['d', 'm', 'y'] }
};

/** format.format(DATETIMETZ) renders the instant in the zone; format.parse(DATE) reads a date. */
function installFormat(format, dateFormat = 'M/D/YYYY') {
    const style = DATE_FORMATS[dateFormat];
    format.format.mockImplementation(({ value, type, timezone }) => {
        if (type !== format.Type.DATETIMETZ || !timezone) {
            throw new Error('fake format.format handles DATETIMETZ with a timezone only');
        }
        const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
            timeZone: timezone, year: 'numeric', month: 'numeric', day: 'numeric',
            hour: 'numeric', minute: '2-digit', second: '2-digit', hour12: true
        }).formatToParts(value).map((part) => [part.type, part.value]));
        return `${style.write(parts.year, parts.month, parts.day)} ${parts.hour}:${parts.minute}:${parts.second} ${parts.dayPeriod.toLowerCase()}`;
    });
    format.parse.mockImplementation(({ value, type }) => {
        const match = style.read.exec(value);
        if (type !== format.Type.DATE || !match) {
            throw new Error(`fake format.parse cannot read ${JSON.stringify(value)} as ${type}`);
        }
        const field = Object.fromEntries(style.order.map((name, i) => [name, Number(match[i + 1])]));
        return new Date(field.y, field.m - 1, field.d);
    });
}

/** @param {number[]|number} usage remaining units answered call after call (last one repeats) */
function installRuntime(runtime, { timezone = 'America/Los_Angeles', usage = 5000, parameters = {} } = {}) {
    const readings = Array.isArray(usage) ? usage.slice() : [usage];
    const script = {
        id: 'customscript_tapns_change_notify_ss',
        deploymentId: 'customdeploy_tapns_change_notify_ss',
        getRemainingUsage: jest.fn(() => (readings.length > 1 ? readings.shift() : readings[0])),
        getParameter: jest.fn(({ name }) => (name in parameters ? parameters[name] : null))
    };
    runtime.getCurrentScript.mockReturnValue(script);
    runtime.getCurrentUser.mockReturnValue({
        getPreference: jest.fn(({ name }) => (name === 'TIMEZONE' ? timezone : null))
    });
    return script;
}

/** error.create answers an Error carrying name and message, as SuiteScriptError does. */
function installError(error) {
    error.create.mockImplementation(({ name, message, notifyOff }) => Object.assign(new Error(message), { name, notifyOff }));
}

module.exports = { installFormat, installRuntime, installError };

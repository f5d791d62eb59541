/**
 * Calendar dates without clocks: {year, month, day} values and whole-day arithmetic on them.
 * No Date arithmetic, so daylight-saving changes cannot shorten or lengthen a day.
 *
 * @NApiVersion 2.1
 * @NModuleScope SameAccount
 */
define([], function () {
    const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
    const TIME_OF_DAY_SUFFIX = /\s+\d{1,2}:\d{2}(:\d{2})?(\s*[ap]\.?m\.?)?\s*$/i;

    function isLeapYear(year) {
        return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    }

    function daysInMonth(year, month) {
        const lengths = [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        return lengths[month - 1];
    }

    /** Parses 'YYYY-MM-DD' strictly; answers null for anything else, including 2023-02-29. */
    function parseIsoDate(text) {
        if (typeof text !== 'string') {
            return null;
        }
        const match = ISO_DATE.exec(text);
        if (!match) {
            return null;
        }
        const year = Number(match[1]);
        const month = Number(match[2]);
        const day = Number(match[3]);
        if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
            return null;
        }
        return { year: year, month: month, day: day };
    }

    function pad(number, width) {
        let text = String(number);
        while (text.length < width) {
            text = '0' + text;
        }
        return text;
    }

    function formatIsoDate(date) {
        return pad(date.year, 4) + '-' + pad(date.month, 2) + '-' + pad(date.day, 2);
    }

    /**
     * Day number of a calendar date (days since 1970-01-01, proleptic Gregorian), by
     * Howard Hinnant's days_from_civil: integer arithmetic only.
     */
    function dayNumber(date) {
        const year = date.month <= 2 ? date.year - 1 : date.year;
        const era = Math.floor(year / 400);
        const yearOfEra = year - era * 400;
        const monthFromMarch = (date.month + 9) % 12;
        const dayOfYear = Math.floor((153 * monthFromMarch + 2) / 5) + date.day - 1;
        const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
        return era * 146097 + dayOfEra - 719468;
    }

    /** Whole calendar days from `from` to `to` (negative when `to` is earlier). */
    function daysBetween(from, to) {
        return dayNumber(to) - dayNumber(from);
    }

    /**
     * The calendar date a Date object shows in the script's local fields. N/format's parse of a
     * DATE value answers midnight of that date, so its local fields are the date that was written.
     */
    function calendarDateOfLocalFields(dateObject) {
        return {
            year: dateObject.getFullYear(),
            month: dateObject.getMonth() + 1,
            day: dateObject.getDate()
        };
    }

    /** Drops the time of day N/format appends to a DATETIME text ('3/10/2024 10:05:00 pm'). */
    function stripTimeOfDay(dateTimeText) {
        return String(dateTimeText).replace(TIME_OF_DAY_SUFFIX, '');
    }

    return {
        parseIsoDate: parseIsoDate,
        formatIsoDate: formatIsoDate,
        dayNumber: dayNumber,
        daysBetween: daysBetween,
        calendarDateOfLocalFields: calendarDateOfLocalFields,
        stripTimeOfDay: stripTimeOfDay
    };
});

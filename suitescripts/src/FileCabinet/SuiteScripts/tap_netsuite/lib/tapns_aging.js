/**
 * Days overdue and aging buckets of an open invoice, in whole calendar days.
 *
 * @NApiVersion 2.1
 * @NModuleScope SameAccount
 */
define(['./tapns_calendar'], function (calendar) {
    const BUCKETS = ['current', '1-30', '31-60', '61-90', '90+'];

    /** Whole days from the due date to as_of; 0 when not yet due or without a due date. */
    function daysOverdue(dueDate, asOf) {
        if (!dueDate) {
            return 0;
        }
        return Math.max(0, calendar.daysBetween(dueDate, asOf));
    }

    /** 0 -> current, 1..30 -> 1-30, 31..60 -> 31-60, 61..90 -> 61-90, 91 and more -> 90+. */
    function agingBucket(days) {
        if (days <= 0) {
            return 'current';
        }
        if (days <= 30) {
            return '1-30';
        }
        if (days <= 60) {
            return '31-60';
        }
        if (days <= 90) {
            return '61-90';
        }
        return '90+';
    }

    return { BUCKETS: BUCKETS, daysOverdue: daysOverdue, agingBucket: agingBucket };
});

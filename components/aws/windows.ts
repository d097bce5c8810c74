/**
 * AWS maintenance and backup windows, in UTC: weekly `ddd:hh:mm-ddd:hh:mm` (e.g. `sun:05:00-sun:06:00`)
 * and daily `hh:mm-hh:mm` (e.g. `03:00-04:00`). Both may wrap (past Saturday, past midnight).
 */

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
const MINUTES_PER_DAY = 24 * 60;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;

/** A window as minutes from Sunday 00:00 (weekly) or from midnight (daily), and its length. */
export interface TimeWindow {
    readonly start: number;
    readonly minutes: number;
}

function clock(hh: string, mm: string): number | undefined {
    const h = Number(hh);
    const m = Number(mm);
    return h <= 23 && m <= 59 ? h * 60 + m : undefined;
}

function window(start: number | undefined, end: number | undefined, period: number): TimeWindow | undefined {
    if (start === undefined || end === undefined || start === end) {
        return undefined;
    }
    return { start, minutes: (end - start + period) % period };
}

/** `ddd:hh:mm-ddd:hh:mm`, day names in any case; undefined when malformed or empty. */
export function parseWeeklyWindow(text: string): TimeWindow | undefined {
    const m = /^([a-z]{3}):(\d{2}):(\d{2})-([a-z]{3}):(\d{2}):(\d{2})$/i.exec(text);
    if (!m) {
        return undefined;
    }
    const day = (name: string) => DAYS.indexOf(name.toLowerCase() as (typeof DAYS)[number]);
    const at = (d: string, hh: string, mm: string) => {
        const minute = clock(hh, mm);
        return day(d) < 0 || minute === undefined ? undefined : day(d) * MINUTES_PER_DAY + minute;
    };
    return window(at(m[1]!, m[2]!, m[3]!), at(m[4]!, m[5]!, m[6]!), MINUTES_PER_WEEK);
}

/** `hh:mm-hh:mm`; undefined when malformed or empty. */
export function parseDailyWindow(text: string): TimeWindow | undefined {
    const m = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(text);
    return m ? window(clock(m[1]!, m[2]!), clock(m[3]!, m[4]!), MINUTES_PER_DAY) : undefined;
}

/** True when a daily window, on any day, shares a minute with a weekly window. */
export function windowsOverlap(weekly: TimeWindow, daily: TimeWindow): boolean {
    const taken = new Uint8Array(MINUTES_PER_WEEK);
    for (let i = 0; i < weekly.minutes; i++) {
        taken[(weekly.start + i) % MINUTES_PER_WEEK] = 1;
    }
    for (let day = 0; day < 7; day++) {
        for (let i = 0; i < daily.minutes; i++) {
            if (taken[(day * MINUTES_PER_DAY + daily.start + i) % MINUTES_PER_WEEK]) {
                return true;
            }
        }
    }
    return false;
}

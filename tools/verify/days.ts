/** Days as the reports state them: the rules, the chain check and the table share these. Pure. */

export const DAY_SECONDS = 86_400;

/** Days with one decimal, truncated: 4.99 days left reads 4.9, never more than what is left. */
export function formatDays(days: number): string {
    return (Math.trunc(days * 10) / 10).toFixed(1);
}

export function secondsLeft(notAfter: string, now: Date): number {
    return Math.floor((new Date(notAfter).getTime() - now.getTime()) / 1000);
}

/** `2026-05-29T00:00:00Z`: an ISO time without milliseconds. */
export const isoSeconds = (iso: string): string => iso.replace(/\.\d{3}Z$/, "Z");

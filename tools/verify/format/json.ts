import type { Report } from "../types";

/** The report as it is: it holds no password or key by construction (`TargetSummary`). */
export function formatJson(report: Report): string {
    return `${JSON.stringify(report, null, 2)}\n`;
}

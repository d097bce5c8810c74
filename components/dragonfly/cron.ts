// Dragonfly's `--snapshot_cron` parser, as a pure check. Dragonfly prepends "0 " (the seconds field)
// and hands the text to croncpp's make_cron; a refusal fails flag parsing, so Dragonfly exits at start
// (dragonflydb/dragonfly src/server/server_family.cc, AbslParseFlag(CronExprFlag)). The rules below
// are croncpp's at the tag Dragonfly v1.40.1 downloads (mariusbancila/croncpp v2023.03.30,
// include/croncpp.h: make_cron, set_cron_field, make_range, to_cron_int, cron_standard_traits).

/** croncpp's standard traits: the range of each field after Dragonfly's "0 " seconds field. */
const FIELDS: ReadonlyArray<{ readonly name: string; readonly min: number; readonly max: number; readonly names?: readonly string[] }> = [
    { name: "second", min: 0, max: 59 },
    { name: "minute", min: 0, max: 59 },
    { name: "hour", min: 0, max: 23 },
    { name: "day of month", min: 1, max: 31 },
    { name: "month", min: 1, max: 12, names: ["NIL", "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] },
    { name: "day of week", min: 0, max: 6, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] },
];

/** std::getline splitting: no token for a trailing delimiter, an empty one between two delimiters. */
function split(text: string, delimiter: string): string[] {
    const parts = text.split(delimiter);
    return parts[parts.length - 1] === "" ? parts.slice(0, -1) : parts;
}

/** to_cron_int: std::stoul (leading digits, rest ignored), narrowed to croncpp's uint8_t cron_int. */
function cronInt(text: string): number {
    const m = /^\s*([+-]?)(\d+)/.exec(text);
    if (!m) throw new Error("stoul");
    const value = BigInt(m[2]!);
    if (value > 0xffffffffffffffffn) throw new Error("stoul");
    return Number((m[1] === "-" ? 0x10000000000000000n - value : value) % 256n);
}

function range(text: string, min: number, max: number): [number, number] {
    let first: number;
    let last: number;
    if (text === "*") {
        [first, last] = [min, max];
    } else if (!text.includes("-")) {
        first = last = cronInt(text);
    } else {
        const parts = split(text, "-");
        if (parts.length !== 2) throw new Error("Specified range requires two fields");
        [first, last] = [cronInt(parts[0]!), cronInt(parts[1]!)];
    }
    if (first > max || last > max) throw new Error("Specified range exceeds maximum");
    if (first < min || last < min) throw new Error("Specified range is less than minimum");
    if (first > last) throw new Error("Specified range start exceeds range end");
    return [first, last];
}

/** croncpp's replace_ordinals (v2023.03.30): the first occurrence of each name becomes its index. */
function replaceNames(text: string, names: readonly string[]): string {
    let out = text.toUpperCase();
    names.forEach((name, i) => {
        const at = out.indexOf(name);
        if (at >= 0) out = out.slice(0, at) + String(i) + out.slice(at + name.length);
    });
    return out;
}

function checkField(value: string, min: number, max: number): void {
    if (value.endsWith(",")) throw new Error("Value cannot end with comma");
    const items = split(value, ",");
    if (items.length === 0) throw new Error("Expression parsing error");
    for (const item of items) {
        if (!item.includes("/")) {
            range(item, min, max);
            continue;
        }
        const parts = split(item, "/");
        if (parts.length !== 2) throw new Error("Incrementer must have two fields");
        range(parts[0]!, min, max);
        if (cronInt(parts[1]!) <= 0) throw new Error("Incrementer must be a positive value");
    }
}

/**
 * croncpp's own error for a 5-field `--snapshot_cron` value Dragonfly would refuse, or undefined when
 * Dragonfly accepts it. An empty value turns snapshots off; one starting with `"` is refused by
 * Dragonfly itself ("Could it be that you put quotes in the flagfile?").
 */
export function snapshotCronError(expression: string): string | undefined {
    if (expression === "") return undefined;
    if (expression.startsWith('"')) return "Could it be that you put quotes in the flagfile?";
    const fields = `0 ${expression}`.split(" ").filter((f) => f !== "");
    if (fields.length !== 6) return "cron expression must have six fields";
    try {
        // make_cron's order: seconds, minutes, hours, then day of week before day of month and month.
        for (const i of [0, 1, 2, 5, 3, 4]) {
            const spec = FIELDS[i]!;
            const field = fields[i]!;
            let value = spec.names ? replaceNames(field, spec.names) : field;
            if (value === "?" && (spec.name === "day of month" || spec.name === "day of week")) value = "*";
            checkField(value, spec.min, spec.max);
        }
    } catch (e) {
        return (e as Error).message;
    }
    return undefined;
}

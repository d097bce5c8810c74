import { EMULATOR_RULES } from "./rules";

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** RULES.md: the rules table (rules.ts) as a person reads it, one section per provider. */
export function renderRulesTable(): string {
    const providers = [["tls", "hashicorp/terraform-provider-tls"], ["random", "hashicorp/terraform-provider-random"], ["docker", "kreuzwerker/terraform-provider-docker"], ["aws", "hashicorp/terraform-provider-aws"], ["command", "pulumi/pulumi-command"]];
    const lines = [
        "# The provider emulator's rules",
        "",
        "Generated from `tests/emulator/rules.ts` (`UPDATE_RULES_TABLE=1 npx vitest run tests/emulator/rules.test.ts`); the test fails when this file",
        "and the table differ. Each rule is one the real provider (or the API behind it) applies, with its upstream file and",
        "function; **plan** rules stop `pulumi preview` (the emulated plugins' Check runs them, as do the mocks' creates), **create**",
        "rules pass the plan and fail `pulumi up`. Rows marked *accepted* are values the real provider lets through, kept so that",
        "the emulator is shown not to refuse more than it does. Every example is run by `rules.test.ts` (handlers and",
        "planTimeProblems), `tests/engine/providers.test.ts` (the plugins' Check and Create) and `mutations/` (applied to the",
        "dev and prod programs' own resources). Diff (replace / update) rules are in `tests/engine/providers/README.md`.",
        "",
    ];
    for (const [prefix, repo] of providers) {
        const rules = EMULATOR_RULES.filter((r) => r.type.startsWith(`${prefix}:`));
        lines.push(`## ${prefix} (${repo})`, "", "| id | resource | input | verdict | stage | rule | example | source |", "|---|---|---|---|---|---|---|---|");
        for (const r of rules) {
            const example = JSON.stringify(r.examples[0]!.set);
            const shortType = r.type.split(":").pop();
            lines.push(`| ${r.id} | ${shortType} | ${cell(r.input)} | ${r.verdict} | ${r.verdict === "accepted" ? "-" : r.stage} | ${cell(r.rule)} | \`${cell(example.length > 60 ? `${example.slice(0, 57)}...` : example)}\` | ${cell(r.source)} |`);
        }
        lines.push("");
    }
    const count = (p: string, v: string) => EMULATOR_RULES.filter((r) => r.type.startsWith(`${p}:`) && r.verdict === v).length;
    lines.push("## Counts", "", "| provider | refused | accepted |", "|---|---|---|");
    for (const [prefix] of providers) lines.push(`| ${prefix} | ${count(prefix!, "refused")} | ${count(prefix!, "accepted")} |`);
    lines.push("");
    return lines.join("\n");
}

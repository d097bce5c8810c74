import type * as pulumi from "@pulumi/pulumi";
import { DEFAULT_REGION } from "../../emulator/aws";
import { getRegion, HANDLERS, planTimeProblems, ProviderEmulator } from "../../emulator/index";
import { SECRET_SIG, SECRET_VALUE, unwrapSecrets } from "../../emulator/secrets";
import { plannedReadyForRenewal, refreshedReadyForRenewal } from "../../emulator/tls";
import { planChange } from "./diff";
import { DIFF_RULES } from "./rules";

type Props = Record<string, any>;

/** The packages served, at the versions package.json pins (the engine asks a plugin for its version). */
export const PROVIDER_PACKAGES = { tls: "5.6.1", random: "4.21.2", docker: "5.2.0", aws: "7.48.0", command: "1.2.1" } as const;
export type ProviderPackage = keyof typeof PROVIDER_PACKAGES;

/** Outputs the real providers mark Sensitive, so the engine stores them as secrets (each upstream schema's `Sensitive: true`). */
const SENSITIVE: Readonly<Record<string, readonly string[]>> = {
    "tls:index/privateKey:PrivateKey": ["privateKeyPem", "privateKeyPemPkcs8", "privateKeyOpenssh"],
    "tls:index/selfSignedCert:SelfSignedCert": ["privateKeyPem"],
    "tls:index/certRequest:CertRequest": ["privateKeyPem"],
    "tls:index/locallySignedCert:LocallySignedCert": ["caPrivateKeyPem"],
    "random:index/randomPassword:RandomPassword": ["result", "bcryptHash"],
    "aws:elasticache/replicationGroup:ReplicationGroup": ["authToken"],
    "aws:rds/instance:Instance": ["password"],
    // terraform-provider-aws internal/service/elasticache/user.go ResourceUser (search-index file id 52127954095): passwords Sensitive.
    "aws:elasticache/user:User": ["passwords"],
    "aws:secretsmanager/secretVersion:SecretVersion": ["secretString", "secretBinary"],
};

const secret = (value: unknown) => ({ [SECRET_SIG]: SECRET_VALUE, value });

/** `urn:pulumi:stack::project::type::name` → type and name (the type of a child carries its parents, `a$b`). */
function parseUrn(urn: string): { type: string; name: string } {
    const parts = urn.split("::");
    return { type: parts[2]!.split("$").pop()!, name: parts.slice(3).join("::") };
}

/**
 * Types whose every output depends on every input, so one secret input makes every output secret:
 * pulumi-command's `infer` resources keep the default wiring ("we want every output to depend on every
 * input", local/commandController.go WireDependencies).
 */
const ALL_OUTPUTS_FROM_ALL_INPUTS = new Set(["command:local:Command"]);

/** Wraps the outputs that were secret inputs or that the provider marks Sensitive. */
function markSecrets(type: string, outs: Props, secretInputs: readonly string[]): Props {
    if (ALL_OUTPUTS_FROM_ALL_INPUTS.has(type) && secretInputs.length > 0) {
        return Object.fromEntries(Object.entries(outs).map(([k, v]) => [k, v !== undefined && v !== null ? secret(v) : v]));
    }
    const secretKeys = new Set([...(SENSITIVE[type] ?? []), ...secretInputs.map((p) => p.split(/[.[]/)[0]!)]);
    return Object.fromEntries(Object.entries(outs).map(([k, v]) => [k, secretKeys.has(k) && v !== undefined && v !== null ? secret(v) : v]));
}

/** The engine's property values have no `undefined` (a protobuf Struct refuses it): unset means absent. */
const withoutUndefined = (outs: Props): Props => JSON.parse(JSON.stringify(outs));

/** Secret input paths, as the engine sent them to Check/Create/Update. */
const secretPathsOf = (props: Props) => unwrapSecrets(props).secretPaths;

/** The provider configuration the engine sends with Configure: its arguments, and `pkg:config:key` variables. */
export interface ProviderConfiguration {
    readonly args?: Record<string, unknown>;
    readonly variables?: Record<string, string>;
}

/** A provider the engine also configures (main.ts forwards Configure's arguments to `configure`). */
export type EmulatedProvider = pulumi.provider.Provider & { configure(config: ProviderConfiguration): void };

/**
 * One package of the provider emulator (tests/emulator) as a Pulumi resource provider: Check runs the
 * provider's plan-time validation (tests/emulator/checks.ts) and reports each refusal as a check
 * failure; Create runs the emulator's handler (same ids and outputs as under mocks) in the configured
 * region; Diff plans with the real provider's rules (rules.ts); Update applies the new inputs; Read
 * returns the stored state, a certificate's `readyForRenewal` refreshed as the tls provider's Read does;
 * Delete succeeds; Invoke is the emulator's `call`. A type the emulator does not know is an error, never
 * a silent pass-through.
 */
export function emulatedProvider(pkg: ProviderPackage, now: () => Date = () => new Date()): EmulatedProvider {
    let created = 0;
    // pulumi-aws reads `region` from its arguments (an explicit provider) or `aws:region` (the default provider's config), then AWS_REGION.
    let region = process.env.AWS_REGION ?? DEFAULT_REGION;
    // As under mocks, a type with no emulated create gets its inputs as state; here only a type whose
    // Diff rules are transcribed, so that a later preview can plan it.
    const handlerFor = (type: string) => HANDLERS[type] ?? (DIFF_RULES[type] ? (name: string, inputs: Props) => ({ ...inputs, id: `${name}-${created++}` }) : undefined);
    const known = (urn: string) => {
        const { type, name } = parseUrn(urn);
        if (!type.startsWith(`${pkg}:`) || !handlerFor(type)) {
            throw new Error(`pulumi-resource-${pkg} (emulated): unknown resource type ${type}`);
        }
        return { type, name };
    };
    return {
        version: PROVIDER_PACKAGES[pkg],
        configure(config: ProviderConfiguration) {
            const configured = config.args?.region ?? config.variables?.[`${pkg}:config:region`];
            if (typeof configured === "string" && configured !== "") region = configured;
        },
        async check(urn, _olds, news) {
            const { type } = known(urn);
            const failures = planTimeProblems(type, unwrapSecrets(news).value as Props).map((p) => ({ property: p.property, reason: p.message }));
            return { inputs: news, failures };
        },
        async diff(_id, urn, olds, news) {
            const { type } = known(urn);
            return planChange(type, olds, news, now());
        },
        async create(urn, inputs) {
            const { type, name } = known(urn);
            const state = await handlerFor(type)!(name, unwrapSecrets(inputs).value as Props, now(), { region });
            const { id, ...outs } = state;
            return { id: typeof id === "string" ? id : name, outs: markSecrets(type, withoutUndefined(outs), secretPathsOf(inputs)) };
        },
        async read(id, urn, props) {
            known(urn);
            const stored = unwrapSecrets(props).value as Props;
            if (typeof stored.validityEndTime !== "string") return { id, props };
            return { id, props: { ...props, readyForRenewal: refreshedReadyForRenewal(stored, now()) } };
        },
        async update(_id, urn, olds, news) {
            const { type } = known(urn);
            // The planned state: stored outputs, the new inputs, and the values the provider computed
            // inside them (a port's host port) carried over, as Terraform's plan carries them.
            const stored = unwrapSecrets(olds).value as Props;
            const inputs = unwrapSecrets(news).value as Props;
            const normalize = DIFF_RULES[type]?.normalize;
            const outs: Props = { ...stored, ...(normalize ? normalize(inputs, stored) : inputs) };
            if (typeof outs.validityEndTime === "string") {
                // updatedUsingPlan stores the plan, whose ready_for_renewal the ReadyForRenewal plan modifier set.
                outs.earlyRenewalHours = outs.earlyRenewalHours ?? 0;
                outs.readyForRenewal = plannedReadyForRenewal(Number(outs.validityPeriodHours), outs.earlyRenewalHours);
            }
            return { outs: markSecrets(type, withoutUndefined(outs), [...secretPathsOf(olds), ...secretPathsOf(news)]) };
        },
        async delete() {},
        async invoke(token, inputs) {
            if (token === "aws:index/getRegion:getRegion") return { outputs: getRegion(region) };
            return { outputs: new ProviderEmulator().call({ token, inputs }) };
        },
    };
}

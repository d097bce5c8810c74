import type { StackValidationPolicy } from "@pulumi/policy";
// One check with tls-platform-expiry, which runs it on `pulumi stack export` output: tools/expiry
// imports nothing outside itself, so the pack (its own package, run by ts-node from policy/) compiles
// it from the repository, as it does components/pki/limits.ts.
import { CERTIFICATE_TYPES, type CertificateRecord, expiryProblems, RENEWED_IN_THIS_RUN } from "../../tools/expiry/check";
import { DEFAULT_EXPIRY_THRESHOLDS, EXPIRY_CONFIG_SCHEMA, EXPIRY_POLICY_NAME, thresholdsFromConfig } from "../../tools/expiry/thresholds";
import { read, UNKNOWN } from "../values";

export const certificateExpiry: StackValidationPolicy = {
    name: EXPIRY_POLICY_NAME,
    description: `Certificates (tls LocallySignedCert and SelfSignedCert) have at least ${DEFAULT_EXPIRY_THRESHOLDS.leafMinDaysLeft} days left (leaves) or ${DEFAULT_EXPIRY_THRESHOLDS.caMinDaysLeft} (CAs; config leafMinDaysLeft, caMinDaysLeft), unless this run renews them.`,
    enforcementLevel: "mandatory",
    configSchema: EXPIRY_CONFIG_SCHEMA,
    validateStack: (args, reportViolation) => {
        const { thresholds, problems } = thresholdsFromConfig(args.getConfig());
        for (const problem of problems) reportViolation(problem);
        // A stack policy sees each resource's planned state after the run. A certificate the run creates
        // or replaces is not issued yet during preview: a provider that previews returns its computed
        // outputs unknown, and for one that does not the engine plans its inputs as its outputs (no
        // certPem, no validityEndTime). During `up` it has its new end time.
        const certificates: CertificateRecord[] = args.resources
            .filter((r) => CERTIFICATE_TYPES.includes(r.type))
            .map((r) => {
                const end = read(() => r.props.validityEndTime);
                const pem = read(() => r.props.certPem);
                const notIssuedYet = end === UNKNOWN || (end === undefined && (pem === UNKNOWN || pem === undefined));
                const isCa = read(() => r.props.isCaCertificate);
                const early = read(() => r.props.earlyRenewalHours);
                return {
                    name: r.name,
                    type: r.type,
                    urn: r.urn,
                    isCaCertificate: isCa === UNKNOWN ? undefined : isCa,
                    validityEndTime: notIssuedYet ? RENEWED_IN_THIS_RUN : end,
                    earlyRenewalHours: early === UNKNOWN ? undefined : early,
                };
            });
        for (const problem of expiryProblems(certificates, new Date(), thresholds)) reportViolation(problem.message, problem.urn);
    },
};

export const expiryPolicies = [certificateExpiry];

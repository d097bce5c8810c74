/**
 * The components' own checks that the root program runs on config values before anything is created,
 * worded with the config keys (settings.ts puts them in its one config error).
 */
import { DEFAULT_ENGINE_VERSIONS } from "../components";
import { validateClusterArgs } from "../components/aws/cluster";
import { validateRbacArgs } from "../components/aws/rbac";
import { validateReplicaArgs } from "../components/aws/replicas";
import { validateGenerations } from "../components/pki/generations";
import type { Problem } from "../components/shared/problems";
import type { ConfigReader, Settings } from "./settings";

/**
 * The components' own checks of cluster mode, RBAC and read replicas (components/aws), worded with the
 * config keys, so a prod stack hears of them in the one config error, before anything is created.
 */
export function scaleOutProblems(aws: Settings["aws"], appName: string, key: (name: string) => string): Problem[] {
    const keys: Record<string, string> = {
        shards: key("cacheShards"),
        replicasPerShard: key("cacheReplicasPerShard"),
        "rbacUsers[0]": key("appName"),
        readReplicas: key("rdsReadReplicas"),
    };
    const reworded = (problems: Problem[], fixes: Record<string, string>) =>
        problems.map((p) => {
            const configKey = keys[p.path] ?? p.path;
            let message = p.message.replace(/^`[^`]+`/, `\`${configKey}\``);
            for (const [from, to] of Object.entries(fixes)) message = message.split(from).join(to);
            return { path: configKey, message };
        });
    const problems: Problem[] = [];
    if (aws.cache.clusterMode) {
        const engine = aws.cache.engine;
        problems.push(...reworded(validateClusterArgs(engine, DEFAULT_ENGINE_VERSIONS[engine], { clusterMode: true, shards: aws.cache.shards, replicasPerShard: aws.cache.replicasPerShard }), {}));
    }
    if (aws.cache.rbac) {
        problems.push(...reworded(validateRbacArgs({ rbacUsers: [appName] }), { "name the application instead, e.g. `orders`": "run `pulumi config set appName orders`", "e.g. `orders`": "e.g. `pulumi config set appName orders`" }));
    }
    if (aws.rds.enabled) {
        problems.push(...reworded(validateReplicaArgs({ readReplicas: aws.rds.readReplicas } as Parameters<typeof validateReplicaArgs>[0]), {}));
    }
    return problems;
}

/**
 * The CA's own check of its key generations (components/pki/generations.ts validateGenerations), worded with
 * the config keys and the commands that set them (README "CA key rollover"), in the one config error.
 */
export function caGenerationProblems(config: ConfigReader, key: (name: string) => string): Problem[] {
    let generations: unknown;
    try {
        generations = config.getObject<unknown>("caGenerations");
    } catch {
        return [{ path: key("caGenerations"), message: `\`${key("caGenerations")}\` is not JSON; set it with \`pulumi config set --path 'caGenerations[0]' 1\` (one line per generation), e.g. [1, 2] while rolling over to a new key.` }];
    }
    const issuing = config.get("caIssuingGeneration");
    const issuingValue = issuing === undefined ? undefined : Number.isFinite(Number(issuing)) ? Number(issuing) : issuing;
    return validateGenerations(generations, issuingValue, undefined).map((p) => {
        const path = p.path.replace(/^generations/, key("caGenerations")).replace(/^issuingGeneration$/, key("caIssuingGeneration"));
        const message = p.message
            .replace(/`generations(\[\d+\])?`/g, (_, index: string | undefined) => `\`${key("caGenerations")}${index ?? ""}\``)
            .replace(/`issuingGeneration`/g, `\`${key("caIssuingGeneration")}\``)
            .replace("e.g. `generations: [1, 2]`", "e.g. `[1, 2]`");
        return { path, message };
    });
}

import * as pulumi from "@pulumi/pulumi";
import {
    type AwsContext, DEFAULT_REGION, elastiCacheSubnetGroup, kmsKey, rdsInstance, rdsParameterGroup, rdsSubnetGroup, replicationGroup, rolePolicy,
    securityGroup, user, userGroup,
} from "./aws";
import { localCommand } from "./command";
import { container, network, remoteImage, volume } from "./docker";
import { randomPassword } from "./random";
import { secret, secretVersion } from "./secretsmanager";
import { unwrapSecrets } from "./secrets";
import { certRequest, locallySignedCert, privateKey, selfSignedCert } from "./tls";

export { planTimeProblems, CHECKS } from "./checks";
export { ProviderError } from "./diagnostics";
export { planCertificate, readyForRenewal } from "./tls";

/** A resource as the emulated engine saw it: inputs with secrets unwrapped, and the state returned. */
export interface RegisteredResource {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, any>;
    /** Input paths that arrived as secrets (e.g. `privateKeyPem`). */
    readonly secretInputs: readonly string[];
    readonly state: Record<string, any>;
    /** The provider reference the resource was registered with, if not the default one. */
    readonly provider?: string;
}

/** Where a resource is made: for aws resources, the region of the provider that manages it. */
export type HandlerContext = AwsContext;

export type Handler = (name: string, inputs: Record<string, any>, now: Date, context: HandlerContext) => Promise<Record<string, unknown>> | Record<string, unknown>;

/** The emulated create of each resource type, by type token; other packages (tests/engine/providers) serve them over gRPC. */
export const HANDLERS: Readonly<Record<string, Handler>> = {
    "tls:index/privateKey:PrivateKey": (name, inputs) => privateKey(name, inputs),
    "tls:index/selfSignedCert:SelfSignedCert": selfSignedCert,
    "tls:index/certRequest:CertRequest": (name, inputs) => certRequest(name, inputs),
    "tls:index/locallySignedCert:LocallySignedCert": locallySignedCert,
    "random:index/randomPassword:RandomPassword": (name, inputs) => randomPassword(name, inputs),
    "docker:index/remoteImage:RemoteImage": (name, inputs) => remoteImage(name, inputs),
    "docker:index/volume:Volume": (name, inputs) => volume(name, inputs),
    "docker:index/network:Network": (name, inputs) => network(name, inputs),
    "docker:index/container:Container": (name, inputs) => container(name, inputs),
    "command:local:Command": (name, inputs) => localCommand(name, inputs),
    "aws:kms/key:Key": (name, inputs, _now, context) => kmsKey(name, inputs, context),
    "aws:ec2/securityGroup:SecurityGroup": (name, inputs, _now, context) => securityGroup(name, inputs, context),
    "aws:elasticache/subnetGroup:SubnetGroup": (name, inputs, _now, context) => elastiCacheSubnetGroup(name, inputs, context),
    "aws:elasticache/replicationGroup:ReplicationGroup": (name, inputs, _now, context) => replicationGroup(name, inputs, context),
    "aws:elasticache/user:User": (name, inputs, _now, context) => user(name, inputs, context),
    "aws:elasticache/userGroup:UserGroup": (name, inputs, _now, context) => userGroup(name, inputs, context),
    "aws:rds/subnetGroup:SubnetGroup": (name, inputs, _now, context) => rdsSubnetGroup(name, inputs, context),
    "aws:rds/parameterGroup:ParameterGroup": (name, inputs, _now, context) => rdsParameterGroup(name, inputs, context),
    "aws:rds/instance:Instance": (name, inputs, _now, context) => rdsInstance(name, inputs, context),
    "aws:secretsmanager/secret:Secret": (name, inputs, _now, context) => secret(name, inputs, context),
    "aws:secretsmanager/secretVersion:SecretVersion": (name, inputs) => secretVersion(name, inputs),
    "aws:iam/rolePolicy:RolePolicy": (name, inputs) => rolePolicy(name, inputs),
};

/** AWS's names of the regions a stack here is likely to use (the endpoints partition data's descriptions). */
const REGION_DESCRIPTIONS: Readonly<Record<string, string>> = {
    "us-east-1": "US East (N. Virginia)", "us-east-2": "US East (Ohio)", "us-west-1": "US West (N. California)", "us-west-2": "US West (Oregon)",
    "eu-west-1": "Europe (Ireland)", "eu-west-2": "Europe (London)", "eu-west-3": "Europe (Paris)", "eu-central-1": "Europe (Frankfurt)", "eu-north-1": "Europe (Stockholm)",
};

/**
 * `aws:index/getRegion:getRegion` as the provider answers it for the provider's region (internal/service/meta
 * region_data_source.go: name, id, endpoint `ec2.<region>.amazonaws.com`, description).
 */
export function getRegion(region: string): Record<string, unknown> {
    return { id: region, name: region, region, endpoint: `ec2.${region}.amazonaws.com`, description: REGION_DESCRIPTIONS[region] ?? region };
}

export interface EmulatorOptions {
    /** The clock certificates are issued by. @default - the real clock */
    readonly now?: () => Date;
}

/**
 * Pulumi mocks that behave like the real providers for the resources this project builds on: real
 * keys, certificates and passwords, the providers' output names, and their input validation; Docker
 * images, volumes, networks and containers get ids, names and published ports as Docker would give.
 * Every other custom resource gets a plausible id and its inputs as state; unknown calls throw.
 */
export class ProviderEmulator implements pulumi.runtime.Mocks {
    readonly resources: RegisteredResource[] = [];
    /** Provider-side failures, which the engine would report as failed creates. */
    readonly failures: Array<{ type: string; name: string; error: Error }> = [];
    private readonly now: () => Date;
    /** Explicit `aws` providers' inputs by the id the emulator gave them (a resource's `provider` ends `::<id>`). */
    private readonly awsProviders = new Map<string, Record<string, any>>();

    constructor(options: EmulatorOptions = {}) {
        this.now = options.now ?? (() => new Date());
    }

    /**
     * The region a resource is made in, as pulumi-aws decides it: its explicit provider's `region`, else
     * the default provider's, which is the stack's `aws:region` config (or the AWS_REGION environment
     * variable). With none of them the real provider would refuse to configure; the emulator then uses
     * DEFAULT_REGION so that a unit test of one resource needs no configuration.
     */
    regionFor(provider: string | undefined): string {
        const explicit = provider ? this.awsProviders.get(provider.split("::").pop()!) : undefined;
        return explicit?.region ?? pulumi.runtime.getConfig("aws:region") ?? process.env.AWS_REGION ?? DEFAULT_REGION;
    }

    async newResource(args: pulumi.runtime.MockResourceArgs): Promise<pulumi.runtime.MockResourceResult> {
        const { value, secretPaths } = unwrapSecrets(args.inputs);
        const inputs = value as Record<string, any>;
        const handler = HANDLERS[args.type];
        let state: Record<string, unknown>;
        try {
            state = handler ? await handler(args.name, inputs, this.now(), { region: this.regionFor(args.provider) }) : { ...inputs };
        } catch (error) {
            this.failures.push({ type: args.type, name: args.name, error: error as Error });
            throw error;
        }
        const id = typeof state.id === "string" ? state.id : `${args.name}-${this.resources.length}`;
        if (args.type === "pulumi:providers:aws") this.awsProviders.set(id, inputs);
        const { id: _omit, ...outputs } = state;
        this.resources.push({ type: args.type, name: args.name, inputs, secretInputs: secretPaths, state: outputs, provider: args.provider });
        return { id, state: outputs };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
        if (args.token === "aws:index/getRegion:getRegion") {
            return getRegion(this.regionFor(args.provider));
        }
        throw new Error(`emulator: no emulation for the call ${args.token}; add one to tests/emulator before relying on it`);
    }

    /** Every registered resource of a type token, e.g. `tls:index/privateKey:PrivateKey`. */
    ofType(type: string): RegisteredResource[] {
        return this.resources.filter((r) => r.type === type);
    }

    /**
     * The one resource with this type and name once the engine has registered it: registration is
     * asynchronous, and a child whose outputs nobody awaits may arrive after the test's last await.
     */
    async waitFor(type: string, name: string, timeoutMs = 5_000): Promise<RegisteredResource> {
        const deadline = Date.now() + timeoutMs;
        while (!this.resources.some((r) => r.type === type && r.name === name) && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 10));
        }
        return this.get(type, name);
    }

    /** The one resource with this type and name; throws if there is not exactly one. */
    get(type: string, name: string): RegisteredResource {
        const found = this.resources.filter((r) => r.type === type && r.name === name);
        if (found.length !== 1) {
            const names = this.ofType(type).map((r) => r.name);
            throw new Error(`expected one ${type} named ${name}, found ${found.length} (have: ${names.join(", ") || "none"})`);
        }
        return found[0]!;
    }
}

/** Installs a fresh emulator as the Pulumi runtime's mocks. Import resource-creating modules after it. */
export async function installEmulator(options: EmulatorOptions & { project?: string; stack?: string; preview?: boolean } = {}): Promise<ProviderEmulator> {
    const emulator = new ProviderEmulator(options);
    await pulumi.runtime.setMocks(emulator, options.project ?? "tls-platform", options.stack ?? "test", options.preview ?? false);
    return emulator;
}

/** The value of an Output, once its resources have been created by the emulator. */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("output never resolved: a resource it depends on failed or was never created")), 30_000);
        output.apply((v) => {
            clearTimeout(timer);
            resolve(v);
            return v;
        });
    });
}

/**
 * Runs `create`, which must throw one `InputPropertiesError` from a component's constructor, and
 * checks that the component (named in the error's first line, `Kind "name": N problems:`) registered
 * no child: registration is asynchronous, so it waits for any child that was started to arrive.
 */
export async function rejectedBeforeCreating(emulator: ProviderEmulator, create: () => unknown): Promise<pulumi.InputPropertiesError> {
    let error: unknown;
    try {
        create();
    } catch (e) {
        error = e;
    }
    if (!pulumi.InputPropertiesError.isInstance(error)) {
        throw new Error(`expected an InputPropertiesError, got ${error === undefined ? "no error" : String(error)}`);
    }
    const component = /^\w+ "(.+?)":/.exec(error.message)?.[1];
    if (component === undefined) {
        throw new Error(`the error does not name its component: ${error.message.split("\n")[0]}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    const children = emulator.resources.filter((r) => r.name.startsWith(`${component}-`)).map((r) => `${r.type} ${r.name}`);
    if (children.length > 0) {
        throw new Error(`"${component}" was rejected but created: ${children.join(", ")}`);
    }
    return error;
}

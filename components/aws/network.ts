import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { parseCidr } from "./cidr";
import { KMS_DELETION_WINDOW_DAYS } from "./defaults";

/** Where a managed cache or database lives and who may reach it. */
export interface PrivateNetworkArgs {
    /** The VPC of the security group (e.g. `vpc-0123456789abcdef0`). */
    readonly vpcId: pulumi.Input<string>;
    /** Private subnets for the service's own subnet group, in the VPC, one per availability zone. */
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Security groups of the clients (e.g. the application's): admitted on the service's port only.
     * The preferred way to grant access; give this or `allowedCidrs`, or both.
     * @default - none
     */
    readonly allowedSecurityGroupIds?: pulumi.Input<string>[];
    /**
     * Private IPv4/IPv6 networks admitted on the service's port only, e.g. `10.0.0.0/16`: inside
     * 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10 or fc00::/7 unless `allowPublicCidrs`.
     * Never `0.0.0.0/0` or `::/0`.
     * @default - none
     */
    readonly allowedCidrs?: string[];
    /**
     * Also accept `allowedCidrs` outside private address space (e.g. a VPC's IPv6 block, which AWS
     * allocates from public space). Whole-internet blocks stay refused.
     * @default - false
     */
    readonly allowPublicCidrs?: boolean;
}

/**
 * The service's security group: ingress on `port` over TCP from the allowed groups and networks, and
 * no egress rule (the groups are stateful, so replies flow; the service starts no connections). Rules
 * are inline so the provider owns the whole rule set: a rule added by hand is removed by the next
 * `pulumi up`. The provider deletes AWS's default allow-all egress rule on create (SecurityGroup
 * .d.ts), and `egress: []` (attribute-as-blocks: an empty list is "no rules") keeps it deleted.
 */
export function accessSecurityGroup(name: string, args: PrivateNetworkArgs, port: number, what: string, parent: pulumi.Resource): aws.ec2.SecurityGroup {
    const rule = { protocol: "tcp", fromPort: port, toPort: port };
    const networks = (family: 4 | 6) =>
        (args.allowedCidrs ?? []).filter((cidr) => {
            const block = parseCidr(cidr);
            return block.kind === "network" && block.family === family;
        });
    const [ipv4, ipv6] = [networks(4), networks(6)];
    const ingress: aws.types.input.ec2.SecurityGroupIngress[] = [];
    if ((args.allowedSecurityGroupIds ?? []).length > 0) {
        ingress.push({ ...rule, securityGroups: args.allowedSecurityGroupIds, description: `${what} clients (security groups)` });
    }
    if (ipv4.length > 0) {
        ingress.push({ ...rule, cidrBlocks: ipv4, description: `${what} clients (IPv4 networks)` });
    }
    if (ipv6.length > 0) {
        ingress.push({ ...rule, ipv6CidrBlocks: ipv6, description: `${what} clients (IPv6 networks)` });
    }
    return new aws.ec2.SecurityGroup(
        `${name}-sg`,
        { vpcId: args.vpcId, description: `${what}: TCP ${port} from allowed clients only`, ingress, egress: [] },
        { parent },
    );
}

/**
 * The customer-managed KMS key that encrypts the service at rest: the ARN given, or a new symmetric
 * key with yearly automatic rotation and the longest deletion window. A key given by ARN is the
 * caller's to rotate.
 */
export function encryptionKeyArn(name: string, kmsKeyArn: pulumi.Input<string> | undefined, what: string, opts: pulumi.CustomResourceOptions): pulumi.Output<string> {
    if (kmsKeyArn !== undefined) {
        return pulumi.output(kmsKeyArn);
    }
    const key = new aws.kms.Key(`${name}-key`, { description: `${what}: encryption at rest`, enableKeyRotation: true, deletionWindowInDays: KMS_DELETION_WINDOW_DAYS }, opts);
    return key.arn;
}

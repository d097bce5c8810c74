import { checkLocalCommand } from "./command";
import {
    checkKmsKey, checkRdsInstance, checkRdsParameterGroup, checkRdsSubnetGroup, checkReplicationGroup, checkRolePolicy, checkSecurityGroup, checkSubnetGroup,
} from "./aws";
import { Diagnostics, type Problem, withoutUnknowns } from "./diagnostics";
import { checkElastiCacheUser, checkElastiCacheUserGroup } from "./elasticache";
import { checkContainer } from "./docker";
import { checkRandomPassword } from "./random";
import { checkSecret, checkSecretVersion } from "./secretsmanager";
import { checkCertRequest, checkLocallySignedCert, checkPrivateKey, checkSelfSignedCert } from "./tls";

type Check = (inputs: Record<string, any>, d: Diagnostics) => void;

/**
 * The providers' plan-time validation of each resource type (schema validators, conflicts, required
 * arguments, CustomizeDiff checks), the same functions each handler runs before it creates. The
 * emulated plugins' Check (tests/engine/providers) runs them, so `pulumi preview` refuses what the real
 * provider's plan refuses; RULES.md lists each rule with its upstream source.
 */
export const CHECKS: Readonly<Record<string, Check>> = {
    "tls:index/privateKey:PrivateKey": checkPrivateKey,
    "tls:index/selfSignedCert:SelfSignedCert": checkSelfSignedCert,
    "tls:index/certRequest:CertRequest": checkCertRequest,
    "tls:index/locallySignedCert:LocallySignedCert": checkLocallySignedCert,
    "random:index/randomPassword:RandomPassword": checkRandomPassword,
    "docker:index/container:Container": checkContainer,
    "command:local:Command": checkLocalCommand,
    "aws:kms/key:Key": checkKmsKey,
    "aws:ec2/securityGroup:SecurityGroup": checkSecurityGroup,
    "aws:elasticache/subnetGroup:SubnetGroup": checkSubnetGroup,
    "aws:elasticache/replicationGroup:ReplicationGroup": checkReplicationGroup,
    "aws:elasticache/user:User": checkElastiCacheUser,
    "aws:elasticache/userGroup:UserGroup": checkElastiCacheUserGroup,
    "aws:rds/subnetGroup:SubnetGroup": checkRdsSubnetGroup,
    "aws:rds/parameterGroup:ParameterGroup": checkRdsParameterGroup,
    "aws:rds/instance:Instance": checkRdsInstance,
    "aws:secretsmanager/secret:Secret": checkSecret,
    "aws:secretsmanager/secretVersion:SecretVersion": checkSecretVersion,
    "aws:iam/rolePolicy:RolePolicy": checkRolePolicy,
};

/**
 * What the provider's plan refuses in `inputs` (secrets already unwrapped); values not known yet (the
 * engine's unknown sentinel) are not validated and satisfy Required, as in Terraform.
 */
export function planTimeProblems(type: string, inputs: Record<string, unknown>): readonly Problem[] {
    const check = CHECKS[type];
    if (!check) return [];
    const { known, unknown } = withoutUnknowns(inputs);
    const d = new Diagnostics(unknown);
    check(known, d);
    return d.problems;
}

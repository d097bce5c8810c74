import * as pulumi from "@pulumi/pulumi";
import { Problem, formatProblems, isKnown } from "../shared/problems";

/**
 * `value` as an Output that, when the value was not known at construction (an output of another
 * resource, a secret from config), is checked once known and fails `resource` with every problem
 * before anything that consumes it is created. Values known at construction were checked up front.
 */
export function checkedWhenKnown<T>(value: pulumi.Input<T>, check: (resolved: pulumi.Unwrap<T>) => Problem[], subject: string, resource: pulumi.Resource | undefined): pulumi.Output<pulumi.Unwrap<T>> {
    const knownNow = isKnown(value);
    return pulumi.output(value).apply((resolved) => {
        const problems = knownNow ? [] : check(resolved);
        if (problems.length > 0) {
            throw new pulumi.ResourceError(formatProblems(subject, problems), resource);
        }
        return resolved;
    });
}

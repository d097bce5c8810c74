import type * as pulumi from "@pulumi/pulumi";

/**
 * A component class as TypeScript callers construct it: the same class, taking `Args`, whose choice
 * arguments are literal unions, so the editor completes them and a typo does not compile.
 *
 * The class itself takes string-typed inputs, as every language passes them: Pulumi's component
 * analyzer, which derives the package schema that the Python, Go and .NET SDKs are generated from,
 * refuses any union that is not a TypeScript `enum` (@pulumi/pulumi provider/experimental/analyzer.js
 * analyzeType: "Union types are not supported"), and an `enum` would make TypeScript callers write
 * `CertificatePurpose.Client` instead of `"client"`. The constructor checks every choice at run time,
 * so other languages still get one clear error. `Omit<C, never>` keeps the class's static side
 * without its string-typed construct signature.
 */
export type TypedComponent<C extends abstract new (...args: never[]) => unknown, Args> = Omit<C, never> &
    (new (name: string, args: Args, opts?: pulumi.ComponentResourceOptions) => InstanceType<C>);

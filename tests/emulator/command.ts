import { Diagnostics } from "./diagnostics";

type Inputs = Record<string, any>;

/** pulumi/pulumi-command@010bd8e provider/pkg/provider/local/logging.go: the `logging` enum. */
const LOGGING = ["stdout", "stderr", "stdoutAndStderr", "none"];

/**
 * Plan-time checks of `command:local:Command` (pulumi-command is a pulumi-go-provider `infer` provider:
 * its Check decodes the inputs into local.CommandInputs, so a value of the wrong type, or `logging`
 * outside its enum, is refused at plan).
 */
export function checkLocalCommand(inputs: Inputs, d: Diagnostics): void {
    for (const key of ["create", "update", "delete", "stdin", "dir"]) {
        if (inputs[key] !== undefined && typeof inputs[key] !== "string") d.add(`${key} must be a string`, key);
    }
    if (inputs.interpreter !== undefined && (!Array.isArray(inputs.interpreter) || inputs.interpreter.some((w: unknown) => typeof w !== "string"))) {
        d.add("interpreter must be a list of strings", "interpreter");
    }
    if (inputs.logging !== undefined && !LOGGING.includes(inputs.logging)) {
        d.add(`logging must be one of ${LOGGING.join(", ")}`, "logging");
    }
}

/**
 * The create of `command:local:Command`. The real provider runs `create` with `/bin/sh -c` (or the
 * interpreter) in the program's directory, stdin from `stdin`, and fails the resource on a non-zero exit
 * (local/commandController.go Create, commandOutputs.go run). The emulator runs NOTHING: the commands the
 * components register drive `docker`, which is not here. What they do is proven by running the exact
 * registered strings against real servers (tests/servers/rotation.test.ts); here a create records the
 * inputs, with the outputs empty.
 */
export function localCommand(name: string, inputs: Inputs): Record<string, unknown> {
    // As every handler here: what the plan refuses, an `up` without a preview refuses too.
    const d = new Diagnostics();
    checkLocalCommand(inputs, d);
    d.throwIfAny("command:local:Command", name);
    return { ...inputs, stdout: "", stderr: "" };
}

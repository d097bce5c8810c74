import type { EmulatorRule } from "./rules";

type Inputs = Record<string, any>;

const TYPE = "command:local:Command";
/** pulumi/pulumi-command@010bd8e (v1.2.x line); infer decodes inputs into local.CommandInputs at Check. */
const COMMAND = "pulumi/pulumi-command@010bd8e provider/pkg/provider";

/**
 * `command:local:Command`'s plan-time rules (tests/emulator/command.ts): the inputs the components set
 * must decode into the provider's types. The messages are the emulator's words: pulumi-go-provider's
 * decoding errors name the field and type, not in a fixed sentence read here.
 */
export const COMMAND_RULES: readonly EmulatorRule[] = [
    {
        id: "command.local.loggingEnum", type: TYPE, input: "logging", verdict: "refused", stage: "plan",
        rule: "stdout, stderr, stdoutAndStderr or none", source: `${COMMAND}/local/logging.go Logging (Values: the four)`,
        examples: [{ set: { logging: "all" }, message: "logging must be one of stdout, stderr, stdoutAndStderr, none" }],
    },
    {
        id: "command.local.interpreterStrings", type: TYPE, input: "interpreter", verdict: "refused", stage: "plan",
        rule: "a list of strings", source: `${COMMAND}/local/command.go BaseInputs.Interpreter *[]string`,
        examples: [{ set: { interpreter: "/bin/sh -c" }, message: "interpreter must be a list of strings" }],
    },
    {
        id: "command.local.stdinString", type: TYPE, input: "stdin", verdict: "refused", stage: "plan",
        rule: "a string", source: `${COMMAND}/local/command.go BaseInputs.Stdin *string`,
        examples: [{ set: { stdin: 7 }, message: "stdin must be a string" }],
    },
    {
        id: "command.local.emptyStdin", type: TYPE, input: "stdin", verdict: "accepted", stage: "plan",
        rule: "an empty stdin is no stdin (commandOutputs.go run: attached only when non-empty)", source: `${COMMAND}/local/commandOutputs.go run`,
        examples: [{ set: { stdin: "" } }],
    },
];

/** The shape the components register: a create command, a secret stdin, no previous output in the environment. */
export const COMMAND_BASELINES: Readonly<Record<string, readonly Inputs[]>> = {
    [TYPE]: [{ create: "true", stdin: "payload\n", addPreviousOutputInEnv: false }],
};

import { PROGRAM_RUNS } from "./programs";
import { describeMutationProof } from "./proof";

// The mutation proof on the dev program run (one program per file: the program module loads once per process).
describeMutationProof(PROGRAM_RUNS.find((r) => r.id === "dev")!);

import { PROGRAM_RUNS } from "./programs";
import { describeMutationProof } from "./proof";

// The mutation proof on the prod program scaled out (cluster mode, RBAC, Multi-AZ and read replicas).
describeMutationProof(PROGRAM_RUNS.find((r) => r.id === "prod-scaled")!);

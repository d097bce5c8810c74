import type { TypedComponent } from "../shared/typed";
import { CertificateArgs, Certificate as CertificateComponent } from "./certificate";
import { CertificateAuthorityArgs, CertificateAuthority as CertificateAuthorityComponent } from "./certificateAuthority";

export * from "./certificate";
export * from "./certificateAuthority";
export * from "./defaults";
export {
    DEFAULT_CA_GENERATIONS,
    FIRST_CA_GENERATION,
    bundleContains,
    generationCommonName,
    splitPemBundle,
} from "./generations";
export { KeyArgs, KeyInputs } from "./keys";

// TypeScript callers construct the classes with literal-union arguments; the classes themselves take
// the string-typed inputs the component package's schema is derived from (shared/typed.ts). These
// local exports take precedence over the classes' own from `export *`.
export const Certificate = CertificateComponent as TypedComponent<typeof CertificateComponent, CertificateArgs>;
export type Certificate = CertificateComponent;
export const CertificateAuthority = CertificateAuthorityComponent as TypedComponent<typeof CertificateAuthorityComponent, CertificateAuthorityArgs>;
export type CertificateAuthority = CertificateAuthorityComponent;

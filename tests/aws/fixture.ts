import { execFileSync } from "node:child_process";

/** A CA bundle in the shape RDS's global bundle has (a self-signed CA, PEM), for `RdsPostgres.caBundlePem`. */
export const TEST_RDS_CA_BUNDLE = execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "/dev/null", "-subj", "/CN=Test RDS Root", "-days", "1"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
});

#!/usr/bin/env bash
# Brings the dev stack up from a fresh clone: checks first that the Pulumi CLI, a running Docker
# engine, Node.js and npm are here (and says what is missing and how to get it, before installing
# anything), installs the locked dependencies only when they are missing or the lockfile changed,
# creates the `dev` stack in the local file backend (Pulumi.yaml: no Pulumi Cloud login) and runs
# `pulumi up`. Extra arguments go to `pulumi up`.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'dev:up: %s\n' "$*" >&2; }

missing=()
if ! command -v pulumi >/dev/null 2>&1; then
    missing+=("the Pulumi CLI: https://www.pulumi.com/docs/iac/download-install/ (e.g. \`brew install pulumi/tap/pulumi\`, or \`curl -fsSL https://get.pulumi.com | sh\` and a new shell)")
fi
if ! command -v docker >/dev/null 2>&1; then
    missing+=("Docker: https://docs.docker.com/engine/install/ (Docker Desktop on macOS and Windows, Docker Engine on Linux)")
elif ! docker_error="$(docker info --format '{{.ServerVersion}}' 2>&1 >/dev/null)"; then
    missing+=("a running Docker engine: \`docker info\` says: ${docker_error%%$'\n'*} (start Docker Desktop, or \`sudo systemctl start docker\`; on Linux your user also needs the \`docker\` group)")
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    missing+=("Node.js with npm, version $(sed -n 's/.*"node": *"\([^"]*\)".*/\1/p' package.json): https://nodejs.org/en/download (or \`nvm install 24\`)")
elif ! node_problem="$(node -e '
    // engines.node is ">=X.Y.Z" (tests/package/node-version.test.ts keeps it so).
    const want = require("./package.json").engines.node;
    const floor = want.replace(/^>=/, "").split(".").map(Number);
    const have = process.versions.node.split(".").map(Number);
    const order = floor.map((n, i) => Math.sign((have[i] ?? 0) - n)).find((d) => d !== 0) ?? 0;
    if (order < 0) { console.log(`Node.js ${process.versions.node} is older than ${want}`); process.exit(1); }
')"; then
    missing+=("a newer Node.js: ${node_problem} (https://nodejs.org/en/download, or \`nvm install 24\`)")
fi
if [ "${#missing[@]}" -gt 0 ]; then
    say "cannot bring the dev stack up; missing:"
    for m in "${missing[@]}"; do printf '  - %s\n' "$m" >&2; done
    say "nothing was installed or changed."
    exit 1
fi

# Install only when needed: `npm ci` deletes node_modules first, so rerunning it on every `dev:up`
# would cost a full install each time. The stamp is the hash of the lockfile it installed and of the
# Node.js major it installed with (a new major can need native modules rebuilt).
stamp=node_modules/.tls-platform-lock.sha256
lock_hash="$(node -e 'process.stdout.write(require("crypto").createHash("sha256").update(require("fs").readFileSync("package-lock.json")).update(`node ${process.versions.node.split(".")[0]}`).digest("hex"))')"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_hash" ]; then
    say "dependencies are installed for this package-lock.json and Node.js major; skipping npm ci"
else
    npm ci --no-audit --no-fund
    mkdir -p node_modules # npm ci makes none for a lockfile without packages
    printf '%s' "$lock_hash" > "$stamp"
fi

# Dev-only passphrase for the dev stack's secrets: it protects nothing worth protecting (throwaway
# local containers). Prod uses a KMS secrets provider, never this.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-tls-platform-dev-only}"

pulumi stack select dev --create --secrets-provider passphrase --non-interactive
pulumi up --stack dev --yes --non-interactive --skip-preview "$@"

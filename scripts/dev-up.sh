#!/usr/bin/env bash
# Brings the dev stack up from a fresh clone: installs dependencies, creates the `dev` stack in the
# local file backend (Pulumi.yaml: no Pulumi Cloud login) and runs `pulumi up`. Needs the Pulumi CLI,
# Node.js 20+ and a running Docker engine.
set -euo pipefail
cd "$(dirname "$0")/.."

# Dev-only passphrase for the dev stack's secrets: it protects nothing worth protecting (throwaway
# local containers). Prod uses a KMS secrets provider, never this.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-tls-platform-dev-only}"

npm ci --no-audit --no-fund
pulumi stack select dev --create --secrets-provider passphrase --non-interactive
pulumi up --stack dev --yes --non-interactive --skip-preview "$@"

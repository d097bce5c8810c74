#!/usr/bin/env bash
# Builds the Pulumi CLI (`pulumi`) from the Go module proxy at the version of @pulumi/pulumi in
# package.json (v3.276.0: github.com/pulumi/pulumi/pkg/v3 and sdk/v3 are served at it), with the
# replace directives of pkg/v3's and sdk/v3's own go.mod that a dependent module does not inherit
# (go.mod says which). Prints the directory holding `pulumi`.
#
# Cached per machine: the binary goes to ${XDG_CACHE_HOME:-~/.cache}/tls-platform/engine/<stamp>/bin,
# where the stamp hashes go.mod, go.sum, the Go version and the build flags, so a fresh clone on the
# same machine reuses it; Go's own caches (GOMODCACHE, GOCACHE) make a rebuild after a change cheap.
# A machine with empty caches downloads about 1.4 GB of modules and compiles for about ten minutes
# on two cores.
#
# Not built: the Node.js language host (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3)
# and the providers' Go modules (pulumi-tls, pulumi-random): the module proxy refuses them (403).
set -euo pipefail
cd "$(dirname "$0")"

version="$(sed -n 's/^require github.com\/pulumi\/pulumi\/pkg\/v3 \(v[0-9.]*\)$/\1/p' go.mod)"
ldflags="-X=github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${version}"
stamp="$(cat go.mod go.sum <(go version) <(echo "$ldflags") | sha256sum | cut -c1-16)"
bin="${XDG_CACHE_HOME:-$HOME/.cache}/tls-platform/engine/${version}-${stamp}/bin"

if [ ! -x "$bin/pulumi" ] || [ "$("$bin/pulumi" version 2>/dev/null)" != "$version" ]; then
    mkdir -p "$bin"
    echo "engine: building pulumi ${version} into $bin (first time on this machine: about ten minutes)" >&2
    go build -p 2 -trimpath -ldflags "$ldflags" -o "$bin/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
    mv "$bin/pulumi.tmp" "$bin/pulumi"
fi
echo "$bin"

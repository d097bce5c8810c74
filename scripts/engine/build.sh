#!/usr/bin/env bash
# Builds the Pulumi CLI (`pulumi`) from the Go module proxy at the version of @pulumi/pulumi in
# package.json (v3.276.0: github.com/pulumi/pulumi/pkg/v3 and sdk/v3 are served at it), with the
# replace directives of pkg/v3's and sdk/v3's own go.mod that a dependent module does not inherit
# (go.mod says which); and this project's stand-in for the Python language host (pulumi-language-python/,
# a package of this module, with its exec script). Prints the directory holding both.
#
# Cached per machine: the CLI goes to ${XDG_CACHE_HOME:-~/.cache}/tls-platform/engine/<version>-<stamp>/bin,
# where the stamp hashes go.mod, go.sum, the Go version and the build flags, so a fresh clone on the
# same machine reuses it; Go's own caches (GOMODCACHE, GOCACHE) make a rebuild after a change cheap.
# The printed directory's stamp also hashes the stand-in's Go files and exec script: it holds a hard link to that CLI (a
# copy across file systems) and the stand-in, so a change to the stand-in rebuilds the stand-in alone.
# A machine with empty caches downloads about 1.4 GB of modules and compiles for about ten minutes
# on two cores.
#
# Not built: the Node.js and Python language hosts (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3,
# sdk/python/cmd/pulumi-language-python/v3) and the providers' Go modules (pulumi-tls, pulumi-random): the
# module proxy refuses them (403); tests/engine/langhost/ and pulumi-language-python/ stand in for the hosts.
set -euo pipefail
cd "$(dirname "$0")"

version="$(sed -n 's/^require github.com\/pulumi\/pulumi\/pkg\/v3 \(v[0-9.]*\)$/\1/p' go.mod)"
ldflags="-X=github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${version}"
stamp="$(cat go.mod go.sum <(go version) <(echo "$ldflags") | sha256sum | cut -c1-16)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/tls-platform/engine"
cli_bin="$cache/${version}-${stamp}/bin"
host_stamp="$(cat <(echo "$stamp") pulumi-language-python/*.go pulumi-language-python/pulumi-language-python-exec | sha256sum | cut -c1-16)"
bin="$cache/${version}-${stamp}-py${host_stamp}/bin"

if [ ! -x "$cli_bin/pulumi" ] || [ "$("$cli_bin/pulumi" version 2>/dev/null)" != "$version" ]; then
    mkdir -p "$cli_bin"
    echo "engine: building pulumi ${version} into $cli_bin (first time on this machine: about ten minutes)" >&2
    go build -p 2 -trimpath -ldflags "$ldflags" -o "$cli_bin/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
    mv "$cli_bin/pulumi.tmp" "$cli_bin/pulumi"
fi
if [ ! -x "$bin/pulumi-language-python" ] || [ ! -x "$bin/pulumi" ]; then
    mkdir -p "$bin"
    echo "engine: building the pulumi-language-python stand-in into $bin" >&2
    go build -p 2 -trimpath -ldflags "$ldflags" -o "$bin/pulumi-language-python.tmp" ./pulumi-language-python
    install -m 0755 pulumi-language-python/pulumi-language-python-exec "$bin/pulumi-language-python-exec"
    ln -f "$cli_bin/pulumi" "$bin/pulumi" 2>/dev/null || cp "$cli_bin/pulumi" "$bin/pulumi"
    mv "$bin/pulumi-language-python.tmp" "$bin/pulumi-language-python"
fi
# Directories of earlier stand-in sources, left an hour alone (a test run that still uses one has long
# finished), so that a search of the cache (tests/harness/requirements.ts findPulumiCli) meets no stale host.
find "$cache" -mindepth 1 -maxdepth 1 -name "${version}-${stamp}-py*" ! -path "$(dirname "$bin")" -mmin +60 -exec rm -rf {} +
echo "$bin"

//go:build tools

// Package tools pins the Pulumi CLI's main package, so that `go mod tidy` keeps every module the
// CLI needs in go.mod and go.sum; build.sh builds it from here.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"

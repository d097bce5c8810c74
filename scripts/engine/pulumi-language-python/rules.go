package main

// The real host's rules as pure functions, each tested in rules_test.go. "Upstream" is pulumi/pulumi
// sdk/python/cmd/pulumi-language-python/main.go (README.md says which version); the toolchain
// (virtualenv resolution, `pip list`) is upstream's own library, sdk/v3/python/toolchain, at v3.276.0.

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
)

const (
	// The exec script beside the host's binary (upstream main: `pythonDefaultExec`).
	execScriptName = "pulumi-language-python-exec"
	// The SDK exits with this code once it has shown the user an error: the host adds nothing
	// (upstream `pythonProcessExitedAfterShowingUserActionableMessage`).
	exitAfterUserMessage = 32
)

// parseOptions reads Pulumi.yaml's runtime options with upstream's types and messages (parseOptions):
// `virtualenv` a string, `typechecker` mypy|pyright, `toolchain` pip|poetry|uv. A plugin without a
// virtualenv on the pip (or automatic) toolchain gets `venv`, since plugins never run on the ambient Python.
func parseOptions(root, programDir string, options map[string]any, isPlugin bool) (toolchain.PythonOptions, error) {
	opts := toolchain.PythonOptions{Root: root, ProgramDir: programDir}
	if value, ok := options["virtualenv"]; ok {
		venv, isString := value.(string)
		if !isString {
			return opts, errors.New("virtualenv option must be a string")
		}
		opts.Virtualenv = venv
	}
	if value, ok := options["typechecker"]; ok {
		name, isString := value.(string)
		if !isString {
			return opts, errors.New("typechecker option must be a string")
		}
		switch name {
		case "mypy":
			opts.Typechecker = toolchain.TypeCheckerMypy
		case "pyright":
			opts.Typechecker = toolchain.TypeCheckerPyright
		default:
			return opts, fmt.Errorf("unsupported typechecker option: %s", name)
		}
	}
	if value, ok := options["toolchain"]; ok {
		name, isString := value.(string)
		if !isString {
			return opts, errors.New("toolchain option must be a string")
		}
		switch name {
		case "pip":
			opts.Toolchain = toolchain.Pip
		case "poetry":
			opts.Toolchain = toolchain.Poetry
		case "uv":
			opts.Toolchain = toolchain.Uv
		default:
			return opts, fmt.Errorf("unsupported toolchain option: %s", name)
		}
	}
	if isPlugin && opts.Virtualenv == "" && (opts.Toolchain == toolchain.Pip || opts.Toolchain == toolchain.Auto) {
		opts.Virtualenv = "venv"
	}
	return opts, nil
}

// resolvePip is upstream's toolchain.ResolveToolchain restricted to pip, the one toolchain this stand-in
// runs: poetry and uv install a project's dependencies on first use, which the stand-in never does. The
// automatic choice is pip unless a uv.lock or poetry.lock sits in the program directory or above, as
// upstream's ResolveToolchain decides.
func resolvePip(opts toolchain.PythonOptions) (toolchain.Toolchain, error) {
	chosen := opts.Toolchain
	if chosen == toolchain.Auto {
		if lock := lockFileAbove(opts.ProgramDir, "uv.lock", "poetry.lock"); lock != "" {
			return nil, fmt.Errorf("this language host runs only the pip toolchain, and %s selects another: set `toolchain: pip` in Pulumi.yaml's runtime options", lock)
		}
		chosen = toolchain.Pip
	}
	if chosen != toolchain.Pip {
		return nil, fmt.Errorf("this language host runs only the pip toolchain, not %s: poetry and uv install dependencies on first use, and it installs nothing", toolchain.Name(chosen))
	}
	opts.Toolchain = toolchain.Pip
	return toolchain.ResolveToolchain(opts)
}

// lockFileAbove is the first of `names` in dir or a directory above it, or "".
func lockFileAbove(dir string, names ...string) string {
	for d := dir; d != ""; {
		for _, name := range names {
			if _, err := os.Stat(filepath.Join(d, name)); err == nil {
				return filepath.Join(d, name)
			}
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	return ""
}

// runArguments is the exec script's command line (upstream Run and constructArguments): the script,
// then `--monitor --engine --project --root_directory --stack --pwd --dry_run --parallel --tracing
// --organization`, each left out when empty (dry_run and parallel never are), the entry point, the
// program's own arguments.
func runArguments(execScript, engineAddress, tracing string, req *pulumirpc.RunRequest) []string {
	args := []string{execScript}
	flag := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flag("monitor", req.GetMonitorAddress())
	flag("engine", engineAddress)
	flag("project", req.GetProject())
	flag("root_directory", req.GetInfo().GetRootDirectory())
	flag("stack", req.GetStack())
	flag("pwd", req.GetPwd())
	flag("dry_run", strconv.FormatBool(req.GetDryRun()))
	flag("parallel", strconv.Itoa(int(req.GetParallel())))
	flag("tracing", tracing)
	flag("organization", req.GetOrganization())
	args = append(args, req.GetInfo().GetEntryPoint())
	return append(args, req.GetArgs()...)
}

// programEnv adds the program's configuration to `base` (upstream Run, constructConfig,
// constructConfigSecretKeys): PULUMI_CONFIG is the config map as JSON, left out when the request has
// none; PULUMI_CONFIG_SECRET_KEYS is the JSON list of secret keys, `[]` when there are none.
func programEnv(base []string, req *pulumirpc.RunRequest) ([]string, error) {
	env := append([]string{}, base...)
	if config := req.GetConfig(); config != nil {
		text, err := json.Marshal(config)
		if err != nil {
			return nil, fmt.Errorf("failed to serialize configuration: %w", err)
		}
		env = append(env, "PULUMI_CONFIG="+string(text))
	}
	secretKeys := "[]"
	if keys := req.GetConfigSecretKeys(); keys != nil {
		text, err := json.Marshal(keys)
		if err != nil {
			return nil, fmt.Errorf("failed to serialize configuration secret keys: %w", err)
		}
		secretKeys = string(text)
	}
	return append(env, "PULUMI_CONFIG_SECRET_KEYS="+secretKeys), nil
}

// runResult turns the exec script's end into Run's answer (upstream Run): success; exit 32 is a bail
// (the SDK has shown the error); another exit code is `program exited with non-zero exit code: N`; a
// process that did not start is `problem executing program (could not run language executor)`.
func runResult(err error) *pulumirpc.RunResponse {
	if err == nil {
		return &pulumirpc.RunResponse{}
	}
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("problem executing program (could not run language executor): %v", err)}
	}
	status, ok := exitErr.Sys().(syscall.WaitStatus)
	switch {
	case !ok || status.ExitStatus() == 0:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited unexpectedly: %v", exitErr)}
	case status.ExitStatus() == exitAfterUserMessage:
		return &pulumirpc.RunResponse{Bail: true}
	default:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited with non-zero exit code: %d", status.ExitStatus())}
	}
}

// withoutPlugins are packages upstream knows to have no plugin (`packagesWithoutPlugins`).
var withoutPlugins = map[string]bool{"pulumi-policy": true, "pulumi-esc-sdk": true}

// packageDependency is the plugin an installed Python package needs, or nil (upstream
// listPulumiPackageInfos and packageDependencyFromPluginJSON). A package counts when it ships a
// pulumi-plugin.json or its name starts with `pulumi-`; `resource: false` means no plugin. The name is
// pulumi-plugin.json's, else the package name without `pulumi-`; the version is pulumi-plugin.json's,
// else the package version translated from PEP 440 (pluginVersion), and the package is skipped when
// that cannot be done; a `v` is put in front.
func packageDependency(pkg plugin.DependencyInfo, pluginJSON *plugin.PulumiPluginJSON) *pulumirpc.PackageDependency {
	if withoutPlugins[pkg.Name] || (pluginJSON == nil && !strings.HasPrefix(pkg.Name, "pulumi-")) {
		return nil
	}
	dep := &pulumirpc.PackageDependency{Kind: "resource"}
	if pluginJSON != nil {
		if !pluginJSON.Resource {
			return nil
		}
		dep.Name, dep.Version, dep.Server = pluginJSON.Name, pluginJSON.Version, pluginJSON.Server
		dep.Parameterization = parameterization(pluginJSON.Parameterization)
		dep.Extension = parameterization(pluginJSON.ExtensionParameterization)
	}
	if dep.Name == "" {
		dep.Name = strings.TrimPrefix(pkg.Name, "pulumi-")
	}
	if dep.Version == "" {
		version, err := pluginVersion(pkg.Version)
		if err != nil {
			return nil
		}
		dep.Version = version
	}
	if !strings.HasPrefix(dep.Version, "v") {
		dep.Version = "v" + dep.Version
	}
	return dep
}

func parameterization(p *plugin.PulumiParameterizationJSON) *pulumirpc.PackageParameterization {
	if p == nil {
		return nil
	}
	return &pulumirpc.PackageParameterization{Name: p.Name, Version: p.Version, Value: p.Value}
}

// pluginVersion translates the PEP 440 subset `N(.N)*[{a|b|rc}N][.postN][.devN]` into a plugin's semver
// (upstream determinePluginVersion): at least three numbers (`1.0` is `1.0.0`), `a`/`b`/`rc` become
// `-alpha.N`/`-beta.N`/`-rc.N`, `.postN` becomes `+postN` and `.devN` `+devN` (`+postNdevM` together).
// Epochs, non-ASCII text and anything left over are errors.
func pluginVersion(v string) (string, error) {
	if v == "" {
		return "", errors.New("cannot parse empty string")
	}
	for i := 0; i < len(v); i++ {
		if v[i] > 127 {
			return "", fmt.Errorf("byte %d is not ascii", i)
		}
	}
	digits := func(s string) (string, string) {
		n := 0
		for n < len(s) && s[n] >= '0' && s[n] <= '9' {
			n++
		}
		return s[:n], s[n:]
	}
	if first, rest := digits(v); first != "" && strings.HasPrefix(rest, "!") {
		return "", errors.New("epochs are not supported")
	}
	var numbers []string
	rest := v
	for {
		number, after := digits(rest)
		if number == "" {
			break
		}
		numbers = append(numbers, number)
		rest = after
		// A dot continues the release only when a number follows it (`1.2.post3` ends the release at 2).
		if next, _ := digits(strings.TrimPrefix(rest, ".")); !strings.HasPrefix(rest, ".") || next == "" {
			break
		}
		rest = rest[1:]
	}
	for len(numbers) < 3 {
		numbers = append(numbers, "0")
	}
	result := strings.Join(numbers, ".")
	for _, pre := range []struct{ pep, semver string }{{"rc", "-rc."}, {"a", "-alpha."}, {"b", "-beta."}} {
		if strings.HasPrefix(rest, pre.pep) {
			var n string
			n, rest = digits(rest[len(pre.pep):])
			result += pre.semver + n
			break
		}
	}
	build := ""
	if strings.HasPrefix(rest, ".post") {
		var n string
		n, rest = digits(rest[len(".post"):])
		build = "post" + n
	}
	if strings.HasPrefix(rest, ".dev") {
		var n string
		n, rest = digits(rest[len(".dev"):])
		build += "dev" + n
	}
	if rest != "" {
		return "", fmt.Errorf("'%s' still unparsed", rest)
	}
	if build != "" {
		result += "+" + build
	}
	return result, nil
}

// installedMessage is InstallDependencies' answer when the SDK is there; notInstalledError when it is
// not. Upstream InstallDependencies creates the virtualenv and runs `pip install -r requirements.txt`;
// this stand-in never installs, so it reports what it found or says what to run.
func installedMessage(sdkVersion, where string) string {
	return fmt.Sprintf("This language host does not install dependencies; the pulumi SDK %s is installed in %s\n", sdkVersion, where)
}

func notInstalledError(where, fix string) error {
	return fmt.Errorf("this language host does not install dependencies, and the pulumi SDK is not installed in %s: %s", where, fix)
}

package main

// The LanguageRuntime service, one method per RPC (upstream main.go's methods of the same names).
// Methods not defined here answer Unimplemented through the embedded gRPC default.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	execScript    string
	engineAddress string
	tracing       string
	// Cancelled by the Cancel RPC: every running program gets SIGINT.
	cancelled context.Context
	cancel    context.CancelFunc
}

func newHost(execScript, engineAddress, tracing string) *host {
	ctx, cancel := context.WithCancel(context.Background())
	return &host{execScript: execScript, engineAddress: engineAddress, tracing: tracing, cancelled: ctx, cancel: cancel}
}

// Handshake sets the engine address when the engine attaches to a running host (upstream Handshake).
func (h *host) Handshake(ctx context.Context, req *pulumirpc.LanguageHandshakeRequest) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.engineAddress = req.EngineAddress
	if err := rpcutil.Healthcheck(context.Background(), h.engineAddress, 5*time.Minute, func() {}); err != nil {
		return nil, fmt.Errorf("could not start health check host RPC server: %w", err)
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

// GetPluginInfo is the version this binary was built with (upstream: version.Version).
func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// GetRequiredPackages lists the plugins of the Python packages installed in the program's environment
// (upstream GetRequiredPackages). Upstream first creates a missing virtualenv (EnsureVenv installs
// requirements.txt); the stand-in only checks that it is there.
func (h *host) GetRequiredPackages(ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	tc, _, err := h.toolchainFor(req.Info, false)
	if err != nil {
		return nil, err
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return nil, err
	}
	installed, err := tc.ListPackages(ctx, true)
	if err != nil {
		return nil, err
	}
	pluginFiles, err := pluginJSONPaths(ctx, tc, installed)
	if err != nil {
		return nil, err
	}
	packages := []*pulumirpc.PackageDependency{}
	for _, pkg := range installed {
		var pluginJSON *plugin.PulumiPluginJSON
		if file := pluginFiles[pkg.Name]; file != "" {
			text, err := os.ReadFile(file)
			if err == nil {
				pluginJSON = &plugin.PulumiPluginJSON{}
				if err := json.Unmarshal(text, pluginJSON); err != nil {
					return nil, fmt.Errorf("failed to parse pulumi-plugin.json for %s: %w", pkg.Name, err)
				}
			}
		}
		if dep := packageDependency(pkg, pluginJSON); dep != nil {
			packages = append(packages, dep)
		}
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: packages}, nil
}

// findPluginJSON prints, for each distribution named on the command line, the pulumi-plugin.json in the
// import package of the same name ('-' read as '_'), or "" (the rule of upstream
// readAllPulumiPluginJSONPaths, in this project's words).
const findPluginJSON = `import importlib.metadata as md, importlib.util as iu, json, os, sys
def plugin_json(distribution):
    try:
        module = md.distribution(distribution).metadata["Name"].replace("-", "_")
        spec = iu.find_spec(module)
    except Exception:
        return ""
    for folder in (spec.submodule_search_locations or []) if spec else []:
        candidate = os.path.join(folder, "pulumi-plugin.json")
        if os.path.isfile(candidate):
            return candidate
    return ""
print(json.dumps({name: plugin_json(name) for name in sys.argv[1:]}))
`

func pluginJSONPaths(ctx context.Context, tc toolchain.Toolchain, installed []plugin.DependencyInfo) (map[string]string, error) {
	paths := map[string]string{}
	if len(installed) == 0 {
		return paths, nil
	}
	args := []string{"-c", findPluginJSON}
	for _, pkg := range installed {
		args = append(args, pkg.Name)
	}
	cmd, err := tc.Command(ctx, args...)
	if err != nil {
		return nil, err
	}
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("finding pulumi-plugin.json files with %s: %w", cmd.Path, err)
	}
	if err := json.Unmarshal(out, &paths); err != nil {
		return nil, fmt.Errorf("failed to parse pulumi-plugin.json paths: %w", err)
	}
	return paths, nil
}

// toolchainFor resolves the program's Python from its runtime options (parseOptions, resolvePip).
func (h *host) toolchainFor(info *pulumirpc.ProgramInfo, isPlugin bool) (toolchain.Toolchain, toolchain.PythonOptions, error) {
	opts, err := parseOptions(info.GetRootDirectory(), info.GetProgramDirectory(), info.GetOptions().AsMap(), isPlugin)
	if err != nil {
		return nil, opts, err
	}
	tc, err := resolvePip(opts)
	return tc, opts, err
}

// Run starts the exec script with the program's Python (upstream Run): the virtualenv must exist
// (ValidateVenv), the command is runArguments, the environment the host's own with the virtualenv
// activated plus programEnv, stdout and stderr are the host's (the engine shows them), and Cancel or the
// end of the request interrupts it.
func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	if h.engineAddress == "" {
		return nil, fmt.Errorf("when debugging or running explicitly, must call Handshake before Run")
	}
	if req.GetAttachDebugger() {
		return &pulumirpc.RunResponse{Error: "this language host cannot attach a debugger (debugpy)"}, nil
	}
	tc, opts, err := h.toolchainFor(req.Info, false)
	if err != nil {
		return nil, err
	}
	if opts.Typechecker != toolchain.TypeCheckerNone {
		return nil, fmt.Errorf("this language host does not run the %s typechecker: remove `typechecker` from Pulumi.yaml's runtime options", toolchain.TypeCheckerName(opts.Typechecker))
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return nil, err
	}
	runCtx, stop := context.WithCancel(h.cancelled)
	defer stop()
	context.AfterFunc(ctx, stop)
	cmd, err := tc.Command(runCtx, runArguments(h.execScript, h.engineAddress, h.tracing, req)...)
	if err != nil {
		return nil, err
	}
	cmd.Cancel = func() error {
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			return cmd.Process.Kill()
		}
		return nil
	}
	cmd.WaitDelay = 5 * time.Second
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	base := cmd.Env
	if base == nil {
		base = os.Environ()
	}
	if cmd.Env, err = programEnv(base, req); err != nil {
		return nil, err
	}
	err = cmd.Run()
	if err != nil {
		// A fast crash of Python must reach the engine before the host answers (upstream flushes too).
		_ = os.Stdout.Sync()
		_ = os.Stderr.Sync()
	}
	return runResult(err), nil
}

// InstallDependencies installs nothing (upstream creates the virtualenv and runs pip, uv or poetry):
// it says where the pulumi SDK is, or fails saying what to run.
func (h *host) InstallDependencies(req *pulumirpc.InstallDependenciesRequest, server grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse]) error {
	tc, _, err := h.toolchainFor(req.Info, req.IsPlugin)
	if err != nil {
		return err
	}
	closer, stdout, _, err := rpcutil.MakeInstallDependenciesStreams(server, req.IsTerminal)
	if err != nil {
		return err
	}
	defer closer.Close()
	where := "the Python on PATH"
	fix := "install requirements.txt into that Python, or set `virtualenv` in Pulumi.yaml to a virtualenv that has it"
	if venv, _ := tc.VirtualEnvPath(server.Context()); venv != "" {
		where = venv
		fix = fmt.Sprintf("create it and run `%s -m pip install -r requirements.txt` (in this repository: tests/engine/python/install)", filepath.Join(venv, "bin/python"))
		if err := tc.ValidateVenv(server.Context()); err != nil {
			return notInstalledError(where, fix)
		}
	}
	installed, err := tc.ListPackages(server.Context(), true)
	if err != nil {
		return notInstalledError(where, fix)
	}
	for _, pkg := range installed {
		if pkg.Name == "pulumi" {
			_, err := stdout.Write([]byte(installedMessage(pkg.Version, where)))
			if err != nil {
				return err
			}
			return closer.Close()
		}
	}
	return notInstalledError(where, fix)
}

// About reports the program's Python and toolchain (upstream About).
func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	opts := toolchain.PythonOptions{Toolchain: toolchain.Pip}
	if req.GetInfo() != nil {
		parsed, err := parseOptions(req.Info.RootDirectory, req.Info.ProgramDirectory, req.Info.Options.AsMap(), false)
		if err != nil {
			return nil, err
		}
		opts = parsed
	}
	tc, err := resolvePip(opts)
	if err != nil {
		return nil, err
	}
	info, err := tc.About(ctx)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{
		Executable: info.PythonExecutable,
		Version:    info.PythonVersion.String(),
		Metadata: map[string]string{
			"toolchain":        toolchain.Name(toolchain.Pip),
			"toolchainVersion": info.ToolchainVersion.String(),
			"typechecker":      toolchain.TypeCheckerName(opts.Typechecker),
		},
	}, nil
}

// GetProgramDependencies is `pip list` in the program's environment (upstream GetProgramDependencies).
func (h *host) GetProgramDependencies(ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest) (*pulumirpc.GetProgramDependenciesResponse, error) {
	tc, _, err := h.toolchainFor(req.Info, false)
	if err != nil {
		return nil, err
	}
	installed, err := tc.ListPackages(ctx, req.TransitiveDependencies)
	if err != nil {
		return nil, fmt.Errorf("failed to get python dependencies: %w", err)
	}
	deps := make([]*pulumirpc.DependencyInfo, len(installed))
	for i, pkg := range installed {
		deps[i] = &pulumirpc.DependencyInfo{Name: pkg.Name, Version: pkg.Version}
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

// GeneratePackage writes the Python SDK of a schema with upstream's code generator, called as the real
// host calls it (upstream GeneratePackage): bind the schema through the engine's loader allowing
// dangling references, return binding errors as diagnostics, else generate as `pulumi-language-python`
// and write every file under the requested directory.
func (h *host) GeneratePackage(ctx context.Context, req *pulumirpc.GeneratePackageRequest) (*pulumirpc.GeneratePackageResponse, error) {
	loader, err := schema.NewLoaderClient(req.LoaderTarget)
	if err != nil {
		return nil, err
	}
	defer loader.Close()
	var spec schema.PackageSpec
	if err := json.Unmarshal([]byte(req.Schema), &spec); err != nil {
		return nil, err
	}
	pkg, diags, err := schema.BindSpec(spec, schema.NewCachedLoader(loader), schema.ValidationOptions{AllowDanglingReferences: true})
	if err != nil {
		return nil, err
	}
	rpcDiags := plugin.HclDiagnosticsToRPCDiagnostics(diags)
	if diags.HasErrors() {
		return &pulumirpc.GeneratePackageResponse{Diagnostics: rpcDiags}, nil
	}
	files, err := python.GeneratePackage("pulumi-language-python", pkg, req.ExtraFiles, schema.NewCachedLoader(loader))
	if err != nil {
		return nil, err
	}
	for name, data := range files {
		out := filepath.Join(req.Directory, name)
		if err := os.MkdirAll(filepath.Dir(out), 0o700); err != nil {
			return nil, fmt.Errorf("could not create output directory %s: %w", filepath.Dir(name), err)
		}
		if err := os.WriteFile(out, data, 0o600); err != nil {
			return nil, fmt.Errorf("could not write output file %s: %w", name, err)
		}
	}
	return &pulumirpc.GeneratePackageResponse{Diagnostics: rpcDiags}, nil
}

// Cancel interrupts every running program (upstream Cancel).
func (h *host) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.cancel()
	return &emptypb.Empty{}, nil
}

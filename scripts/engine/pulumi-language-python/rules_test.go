package main

// One test per rule of README.md's table that can be checked without the engine; the engine test
// tests/engine/python-component.test.ts runs the rest through the real CLI.

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/structpb"
)

func TestParseOptionsTypesAndMessages(t *testing.T) {
	for _, tc := range []struct {
		options map[string]any
		want    string
	}{
		{map[string]any{"virtualenv": 3.0}, "virtualenv option must be a string"},
		{map[string]any{"typechecker": true}, "typechecker option must be a string"},
		{map[string]any{"typechecker": "pytype"}, "unsupported typechecker option: pytype"},
		{map[string]any{"toolchain": 1.0}, "toolchain option must be a string"},
		{map[string]any{"toolchain": "conda"}, "unsupported toolchain option: conda"},
	} {
		if _, err := parseOptions("/root", "/root", tc.options, false); err == nil || err.Error() != tc.want {
			t.Errorf("parseOptions(%v) = %v, want %q", tc.options, err, tc.want)
		}
	}
	opts, err := parseOptions("/p", "/p/src", map[string]any{"virtualenv": "env", "toolchain": "pip", "typechecker": "mypy"}, false)
	if err != nil || opts.Virtualenv != "env" || opts.Toolchain != toolchain.Pip || opts.Typechecker != toolchain.TypeCheckerMypy || opts.Root != "/p" || opts.ProgramDir != "/p/src" {
		t.Errorf("parseOptions = %+v, %v", opts, err)
	}
}

func TestPluginsDefaultToAVenvOnPipOnly(t *testing.T) {
	for _, tc := range []struct {
		options  map[string]any
		isPlugin bool
		want     string
	}{
		{map[string]any{}, true, "venv"},
		{map[string]any{"toolchain": "pip"}, true, "venv"},
		{map[string]any{"toolchain": "uv"}, true, ""},
		{map[string]any{"virtualenv": "mine"}, true, "mine"},
		{map[string]any{}, false, ""},
	} {
		opts, err := parseOptions("/r", "/r", tc.options, tc.isPlugin)
		if err != nil || opts.Virtualenv != tc.want {
			t.Errorf("parseOptions(%v, plugin=%v).Virtualenv = %q, %v; want %q", tc.options, tc.isPlugin, opts.Virtualenv, err, tc.want)
		}
	}
}

func TestVirtualenvIsResolvedFromTheProjectRoot(t *testing.T) {
	for _, tc := range []struct{ venv, want string }{
		{"venv", "/project/venv"},
		{"../shared/venv", "/shared/venv"},
		{"/opt/venv", "/opt/venv"},
		{"", ""},
	} {
		tc2, err := resolvePip(toolchain.PythonOptions{Root: "/project", ProgramDir: "/project/src", Virtualenv: tc.venv, Toolchain: toolchain.Pip})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := tc2.VirtualEnvPath(context.Background()); got != tc.want {
			t.Errorf("virtualenv %q resolves to %q, want %q", tc.venv, got, tc.want)
		}
	}
}

func TestAMissingVirtualenvIsReportedWithTheCommandsToMakeIt(t *testing.T) {
	root := t.TempDir()
	tc, err := resolvePip(toolchain.PythonOptions{Root: root, ProgramDir: root, Virtualenv: "venv"})
	if err != nil {
		t.Fatal(err)
	}
	err = tc.ValidateVenv(context.Background())
	want := "The 'virtualenv' option in Pulumi.yaml is set to \"venv\", but \"" + filepath.Join(root, "venv") + "\" doesn't exist"
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "-m pip install -r requirements.txt") {
		t.Errorf("ValidateVenv = %v, want it to start %q", err, want)
	}
}

func TestOnlyThePipToolchainRuns(t *testing.T) {
	root := t.TempDir()
	if _, err := resolvePip(toolchain.PythonOptions{Root: root, ProgramDir: root, Toolchain: toolchain.Poetry}); err == nil || !strings.Contains(err.Error(), "runs only the pip toolchain, not Poetry") {
		t.Errorf("poetry: %v", err)
	}
	if err := os.WriteFile(filepath.Join(root, "uv.lock"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(root, "src")
	if _, err := resolvePip(toolchain.PythonOptions{Root: root, ProgramDir: sub}); err == nil || !strings.Contains(err.Error(), filepath.Join(root, "uv.lock")+" selects another") {
		t.Errorf("uv.lock above the program: %v", err)
	}
	if _, err := resolvePip(toolchain.PythonOptions{Root: root, ProgramDir: sub, Toolchain: toolchain.Pip}); err != nil {
		t.Errorf("an explicit pip beats the lock file: %v", err)
	}
}

func TestRunArguments(t *testing.T) {
	req := &pulumirpc.RunRequest{
		MonitorAddress: "127.0.0.1:1", Project: "proj", Stack: "dev", Pwd: "/p", DryRun: true, Parallel: 8,
		Organization: "org", Args: []string{"a", "b"}, Info: &pulumirpc.ProgramInfo{RootDirectory: "/p", EntryPoint: "."},
	}
	want := []string{"/bin/exec", "--monitor", "127.0.0.1:1", "--engine", "127.0.0.1:2", "--project", "proj", "--root_directory", "/p",
		"--stack", "dev", "--pwd", "/p", "--dry_run", "true", "--parallel", "8", "--tracing", "zipkin", "--organization", "org", ".", "a", "b"}
	if got := runArguments("/bin/exec", "127.0.0.1:2", "zipkin", req); !reflect.DeepEqual(got, want) {
		t.Errorf("runArguments =\n%q\nwant\n%q", got, want)
	}
	// Empty values are left out; dry_run and parallel always have one.
	bare := &pulumirpc.RunRequest{Info: &pulumirpc.ProgramInfo{EntryPoint: "main.py"}}
	want = []string{"x", "--dry_run", "false", "--parallel", "0", "main.py"}
	if got := runArguments("x", "", "", bare); !reflect.DeepEqual(got, want) {
		t.Errorf("runArguments(bare) = %q, want %q", got, want)
	}
}

func TestProgramEnvCarriesConfigAndSecretKeys(t *testing.T) {
	env, err := programEnv([]string{"A=1"}, &pulumirpc.RunRequest{Config: map[string]string{"proj:token": "s3cret", "proj:who": "<world>"}, ConfigSecretKeys: []string{"proj:token"}})
	want := []string{"A=1", `PULUMI_CONFIG={"proj:token":"s3cret","proj:who":"\u003cworld\u003e"}`, `PULUMI_CONFIG_SECRET_KEYS=["proj:token"]`}
	if err != nil || !reflect.DeepEqual(env, want) {
		t.Errorf("programEnv = %q, %v; want %q", env, err, want)
	}
	// No config: no PULUMI_CONFIG, and the secret keys are an empty list.
	env, _ = programEnv(nil, &pulumirpc.RunRequest{})
	if want := []string{"PULUMI_CONFIG_SECRET_KEYS=[]"}; !reflect.DeepEqual(env, want) {
		t.Errorf("programEnv(no config) = %q, want %q", env, want)
	}
}

func TestRunResultFromTheExitCode(t *testing.T) {
	exit := func(code string) error { return exec.Command("sh", "-c", "exit "+code).Run() }
	for _, tc := range []struct {
		err  error
		want *pulumirpc.RunResponse
	}{
		{nil, &pulumirpc.RunResponse{}},
		{exit("32"), &pulumirpc.RunResponse{Bail: true}},
		{exit("7"), &pulumirpc.RunResponse{Error: "program exited with non-zero exit code: 7"}},
		{errors.New("fork failed"), &pulumirpc.RunResponse{Error: "problem executing program (could not run language executor): fork failed"}},
	} {
		if got := runResult(tc.err); got.Error != tc.want.Error || got.Bail != tc.want.Bail {
			t.Errorf("runResult(%v) = %+v, want %+v", tc.err, got, tc.want)
		}
	}
}

func TestPackageDependency(t *testing.T) {
	for _, tc := range []struct {
		pkg        plugin.DependencyInfo
		pluginJSON *plugin.PulumiPluginJSON
		want       *pulumirpc.PackageDependency
	}{
		{plugin.DependencyInfo{Name: "pulumi-random", Version: "4.16.0"}, nil, &pulumirpc.PackageDependency{Name: "random", Version: "v4.16.0", Kind: "resource"}},
		{plugin.DependencyInfo{Name: "pulumi-tls-platform", Version: "0.1.0"}, &plugin.PulumiPluginJSON{Resource: true, Name: "tls-platform", Version: "0.1.0", Server: "https://x"},
			&pulumirpc.PackageDependency{Name: "tls-platform", Version: "v0.1.0", Kind: "resource", Server: "https://x"}},
		{plugin.DependencyInfo{Name: "acme", Version: "1.0"}, &plugin.PulumiPluginJSON{Resource: true}, &pulumirpc.PackageDependency{Name: "acme", Version: "v1.0.0", Kind: "resource"}},
		{plugin.DependencyInfo{Name: "pulumi-aws", Version: "6.0.0"}, &plugin.PulumiPluginJSON{Resource: false}, nil},
		{plugin.DependencyInfo{Name: "requests", Version: "2.0"}, nil, nil},
		{plugin.DependencyInfo{Name: "pulumi-policy", Version: "1.0.0"}, nil, nil},
		{plugin.DependencyInfo{Name: "pulumi-bad", Version: "1!2.0"}, nil, nil},
	} {
		got := packageDependency(tc.pkg, tc.pluginJSON)
		if (got == nil) != (tc.want == nil) || (got != nil && (got.Name != tc.want.Name || got.Version != tc.want.Version || got.Kind != tc.want.Kind || got.Server != tc.want.Server)) {
			t.Errorf("packageDependency(%v, %+v) = %v, want %v", tc.pkg, tc.pluginJSON, got, tc.want)
		}
	}
	param := packageDependency(plugin.DependencyInfo{Name: "x"}, &plugin.PulumiPluginJSON{Resource: true, Name: "terraform-provider", Version: "1.0.0",
		Parameterization: &plugin.PulumiParameterizationJSON{Name: "x", Version: "2.0.0", Value: []byte("v")}})
	if p := param.Parameterization; p == nil || p.Name != "x" || p.Version != "2.0.0" || string(p.Value) != "v" {
		t.Errorf("parameterization = %+v", p)
	}
}

func TestPluginVersionFromPEP440(t *testing.T) {
	for in, want := range map[string]string{
		"1":                   "1.0.0",
		"1.2":                 "1.2.0",
		"1.2.3":               "1.2.3",
		"1.2.3.4":             "1.2.3.4",
		"2.14.0a1605583329":   "2.14.0-alpha.1605583329",
		"1.2.3b4":             "1.2.3-beta.4",
		"1.2.3rc4":            "1.2.3-rc.4",
		"1.2.3.post4":         "1.2.3+post4",
		"1.2.3.dev5":          "1.2.3+dev5",
		"1.2.3.post4.dev5":    "1.2.3+post4dev5",
		"1.2.3rc1.post2.dev3": "1.2.3-rc.1+post2dev3",
	} {
		if got, err := pluginVersion(in); err != nil || got != want {
			t.Errorf("pluginVersion(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, want := range map[string]string{
		"":       "cannot parse empty string",
		"1!2.0":  "epochs are not supported",
		"1.2.":   "'.' still unparsed",
		"1.2.3x": "'x' still unparsed",
		"1.2.3é": "byte 5 is not ascii",
	} {
		if _, err := pluginVersion(in); err == nil || err.Error() != want {
			t.Errorf("pluginVersion(%q) error = %v, want %q", in, err, want)
		}
	}
}

// fakeVenv is a virtualenv whose python answers `-m pip list` with `packages` and the stand-in's
// pulumi-plugin.json lookup (`-c`) with `pluginFiles`, so the host's RPCs run without installing anything.
func fakeVenv(t *testing.T, packages, pluginFiles string) string {
	t.Helper()
	venv := filepath.Join(t.TempDir(), "venv")
	if err := os.MkdirAll(filepath.Join(venv, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\ncase \"$1\" in\n-m) echo '" + packages + "' ;;\n-c) echo '" + pluginFiles + "' ;;\nesac\n"
	if err := os.WriteFile(filepath.Join(venv, "bin/python"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return venv
}

func programInfo(t *testing.T, venv string) *pulumirpc.ProgramInfo {
	options, err := structpb.NewStruct(map[string]any{"virtualenv": venv, "toolchain": "pip"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	return &pulumirpc.ProgramInfo{RootDirectory: dir, ProgramDirectory: dir, EntryPoint: ".", Options: options}
}

func TestGetRequiredPackagesReadsThePluginFilesOfInstalledPackages(t *testing.T) {
	pluginJSON := filepath.Join(t.TempDir(), "pulumi-plugin.json")
	if err := os.WriteFile(pluginJSON, []byte(`{"resource": true, "name": "tls-platform", "version": "0.1.0"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	venv := fakeVenv(t, `[{"name": "pulumi", "version": "3.272.0"}, {"name": "pulumi_tls_platform", "version": "0.1.0"}, {"name": "pulumi-random", "version": "4.16.0"}, {"name": "grpcio", "version": "1.0"}]`,
		`{"pulumi-tls-platform": "`+pluginJSON+`", "pulumi-random": ""}`)
	resp, err := newHost("x", "", "").GetRequiredPackages(context.Background(), &pulumirpc.GetRequiredPackagesRequest{Info: programInfo(t, venv)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range resp.Packages {
		got = append(got, p.Kind+" "+p.Name+" "+p.Version)
	}
	if want := []string{"resource tls-platform v0.1.0", "resource random v4.16.0"}; !reflect.DeepEqual(got, want) {
		t.Errorf("GetRequiredPackages = %q, want %q", got, want)
	}
}

// installStream collects what InstallDependencies sends.
type installStream struct {
	grpc.ServerStream
	stdout strings.Builder
}

func (s *installStream) Send(r *pulumirpc.InstallDependenciesResponse) error {
	s.stdout.Write(r.Stdout)
	return nil
}
func (s *installStream) Context() context.Context { return context.Background() }

func TestInstallDependenciesInstallsNothing(t *testing.T) {
	venv := fakeVenv(t, `[{"name": "pulumi", "version": "3.272.0"}]`, `{}`)
	stream := &installStream{}
	if err := newHost("x", "", "").InstallDependencies(&pulumirpc.InstallDependenciesRequest{Info: programInfo(t, venv)}, stream); err != nil {
		t.Fatal(err)
	}
	if want := "This language host does not install dependencies; the pulumi SDK 3.272.0 is installed in " + venv + "\n"; stream.stdout.String() != want {
		t.Errorf("InstallDependencies said %q, want %q", stream.stdout.String(), want)
	}

	without := fakeVenv(t, `[{"name": "grpcio", "version": "1.0"}]`, `{}`)
	missing := filepath.Join(t.TempDir(), "nowhere")
	for _, venv := range []string{without, missing} {
		err := newHost("x", "", "").InstallDependencies(&pulumirpc.InstallDependenciesRequest{Info: programInfo(t, venv)}, &installStream{})
		want := "this language host does not install dependencies, and the pulumi SDK is not installed in " + venv +
			": create it and run `" + filepath.Join(venv, "bin/python") + " -m pip install -r requirements.txt` (in this repository: tests/engine/python/install)"
		if err == nil || err.Error() != want {
			t.Errorf("InstallDependencies(%s) = %v, want %q", venv, err, want)
		}
	}
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// bailExitCode is what @pulumi/pulumi exits with after it has already reported the error itself.
const bailExitCode = 32

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	mu         sync.Mutex
	engine     string
	rootDir    string
	programDir string
}

func newHost(engine string) *host { return &host{engine: engine} }

func (h *host) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if a := req.GetEngineAddress(); a != "" {
		h.engine = a
	}
	h.rootDir = req.GetRootDirectory()
	h.programDir = req.GetProgramDirectory()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

// handshake returns what the engine told us, for requests that leave the values out.
func (h *host) handshake() (engine, rootDir, programDir string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engine, h.rootDir, h.programDir
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: sdk.Version.String()}, nil
}

// GetRequiredPackages is unimplemented on purpose: the engine then falls back to GetRequiredPlugins.
func (h *host) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return nil, status.Error(codes.Unimplemented, "GetRequiredPackages is not implemented")
}

func (h *host) GetRequiredPlugins(
	_ context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetPwd()
	}
	plugins, err := resourcePlugins(filepath.Join(dir, "node_modules"))
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

func (h *host) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (h *host) Run(_ context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	engine, rootDir, programDir := h.handshake()
	info := req.GetInfo()
	if d := info.GetRootDirectory(); d != "" {
		rootDir = d
	}
	if d := info.GetProgramDirectory(); d != "" {
		programDir = d
	}
	if programDir == "" {
		programDir = req.GetPwd()
	}

	node, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	runPath, err := findSDKCommand(programDir, "run")
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	args := append(nodeArgs(info), runPath)
	for _, flag := range [][2]string{
		{"--monitor", req.GetMonitorAddress()},
		{"--engine", engine},
		{"--organization", req.GetOrganization()},
		{"--project", req.GetProject()},
		{"--root-directory", rootDir},
		{"--stack", req.GetStack()},
		{"--pwd", programDir},
	} {
		if flag[1] != "" {
			args = append(args, flag[0], flag[1])
		}
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	args = append(args, "--parallel", strconv.Itoa(int(req.GetParallel())))
	entry := info.GetEntryPoint()
	if entry == "" {
		entry = "."
	}
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	config, err := json.Marshal(req.GetConfig())
	if err != nil {
		return nil, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{} // the SDK expects a JSON array, not null
	}
	secrets, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}

	cmd := exec.Command(node, args...)
	cmd.Dir = programDir
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	cmd.Env = append(os.Environ(),
		"PULUMI_CONFIG="+string(config),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secrets))
	cmd.Env = append(cmd.Env, typescriptEnv(info)...)

	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		switch {
		case errors.As(err, &exitErr) && exitErr.ExitCode() == bailExitCode:
			return &pulumirpc.RunResponse{Bail: true}, nil
		case errors.As(err, &exitErr):
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode()),
			}, nil
		default:
			return &pulumirpc.RunResponse{Error: err.Error()}, nil
		}
	}
	return &pulumirpc.RunResponse{}, nil
}

func (h *host) RunPlugin(
	req *pulumirpc.RunPluginRequest, stream grpc.ServerStreamingServer[pulumirpc.RunPluginResponse],
) error {
	info := req.GetInfo()
	programDir := info.GetProgramDirectory()

	node, err := exec.LookPath("node")
	if err != nil {
		return err
	}

	var args []string
	dir := req.GetPwd()
	if req.GetKind() == "analyzer" {
		// Policy packs: the engine address is in req.Args, and the pack directory comes last.
		runPath, err := findSDKCommand(programDir, "run-policy-pack")
		if err != nil {
			return err
		}
		args = slices.Concat([]string{runPath}, nodeArgs(info), req.GetArgs(), []string{programDir})
		dir = programDir
	} else {
		runPath, err := findSDKCommand(programDir, "run-plugin")
		if err != nil {
			return err
		}
		args = slices.Concat([]string{runPath}, nodeArgs(info), []string{programDir}, req.GetArgs())
	}

	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(stream, false)
	if err != nil {
		return err
	}
	// exec copies stdout and stderr on separate goroutines, but a gRPC stream must not be sent on
	// concurrently.
	var sendMu sync.Mutex

	env := req.GetEnv()
	if len(env) == 0 {
		env = os.Environ()
	}

	// The engine stops a plugin by cancelling this stream, so the child must die with it.
	cmd := exec.CommandContext(stream.Context(), node, args...)
	cmd.Dir = dir
	cmd.Env = slices.Concat(env, typescriptEnv(info))
	cmd.Stdout = &lockedWriter{mu: &sendMu, w: stdout}
	cmd.Stderr = &lockedWriter{mu: &sendMu, w: stderr}

	runErr := cmd.Run()
	if err := closer.Close(); err != nil {
		return err
	}
	var exitErr *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exitErr) {
		return runErr
	}
	return stream.Send(&pulumirpc.RunPluginResponse{
		Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(cmd.ProcessState.ExitCode())},
	})
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// findSDKCommand resolves @pulumi/pulumi/cmd/<name> the way node would: from dir upwards. node
// loads the directory's index.js.
func findSDKCommand(dir, name string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		p := filepath.Join(d, "node_modules", "@pulumi", "pulumi", "cmd", name)
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return p, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("could not find @pulumi/pulumi/cmd/%s from %s; is @pulumi/pulumi installed?",
				name, abs)
		}
	}
}

func nodeArgs(info *pulumirpc.ProgramInfo) []string {
	s, _ := info.GetOptions().AsMap()["nodeargs"].(string)
	return strings.Fields(s)
}

func typescriptEnv(info *pulumirpc.ProgramInfo) []string {
	opts := info.GetOptions().AsMap()
	var env []string
	if ts, ok := opts["typescript"].(bool); ts || !ok {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if p, _ := opts["tsconfigpath"].(string); p != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+p)
	}
	return env
}

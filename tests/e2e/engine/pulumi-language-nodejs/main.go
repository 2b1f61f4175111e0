// Command pulumi-language-nodejs is a minimal Node.js language host used only by the engine tests:
// the official host is not served by the Go module proxy, so the tests build this one instead.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

func main() {
	if err := serve(engineAddress(os.Args[1:])); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
}

// engineAddress returns the last positional argument. The engine passes logging and tracing flags
// before it; "--tracing" takes its endpoint as a separate argument, which must not be mistaken for
// the address.
func engineAddress(args []string) string {
	addr := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-tracing" || a == "--tracing" || a == "-root" || a == "--root":
			i++
		case strings.HasPrefix(a, "-"):
		default:
			addr = a
		}
	}
	return addr
}

func serve(engine string) error {
	// The engine shuts plugins down with SIGINT to the process group; stop serving gracefully then.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// Also stop if the engine goes away without telling us.
	if engine != "" {
		if err := rpcutil.Healthcheck(ctx, engine, 5*time.Minute, stop); err != nil {
			return fmt.Errorf("engine health check: %w", err)
		}
	}

	cancel := make(chan bool)
	go func() {
		<-ctx.Done()
		close(cancel)
	}()

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(s *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(s, newHost(engine))
			return nil
		},
	})
	if err != nil {
		return err
	}

	// The engine reads the port from the first line of our stdout.
	fmt.Printf("%d\n", handle.Port)
	return <-handle.Done
}

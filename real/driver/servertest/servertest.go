// Package servertest lets the real targets' tests find their server: skip with a
// message naming it when none answers, or fail when CI requires it.
package servertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/dsbench/dsbench/bench"
	"github.com/dsbench/dsbench/real/driver"
	"github.com/dsbench/dsbench/results"
)

// RequireEnv is the environment variable that turns a test's skip for a
// missing server into a failure; .ci/run sets it after starting the servers.
const RequireEnv = "DSBENCH_REQUIRE_SERVERS"

// NeedServer skips t when nothing answers at addr (naming the server and
// how to start it), or fails it when RequireEnv is 1.
func NeedServer(t testing.TB, server, script, addr string) {
	t.Helper()
	if err := driver.Dial(addr); err != nil {
		msg := fmt.Sprintf("no %s at %s (%v): start one with scripts/servers/%s.sh start", server, addr, err, script)
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("%s, and %s=1 requires it", msg, RequireEnv)
		}
		t.Skip(msg)
	}
}

// Prefix is a key prefix of its own for one test run, so tests of
// several packages can share a server at once.
func Prefix(sep string, name string) string {
	return fmt.Sprintf("dsbenchtest%s%s%s%d%s", sep, name, sep, os.Getpid(), sep)
}

// Run runs one target through bench.Run (the path of every dsbench run) and
// returns its one run, failing t on any error.
func Run(t testing.TB, target, workload string, o bench.Options) results.Run {
	t.Helper()
	doc, err := bench.Run(context.Background(), target, workload, o)
	if err != nil {
		t.Fatalf("%s %q: %v", target, workload, err)
	}
	if len(doc.Runs) != 1 {
		t.Fatalf("%s: %d runs, want 1", target, len(doc.Runs))
	}
	r := doc.Runs[0]
	t.Logf("%s %s: %d ops, %d errors, p50 %.0fns p99 %.0fns, metrics %v", target, r.WorkloadName, r.Ops, r.Errors, r.LatencyNs.P50, r.LatencyNs.P99, r.Metrics)
	return r
}

// Unreachable checks that a target pointed at a closed port is bad input
// before any run, and that the error names the address.
func Unreachable(t testing.TB, target string, params []string, addr string) {
	t.Helper()
	_, err := bench.NewPlan([]any{target}, "", bench.Options{Ops: 1, Params: params})
	var ie *bench.InputError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), addr) {
		t.Errorf("%s %v: error %v, want an InputError naming %s", target, params, err, addr)
	}
}

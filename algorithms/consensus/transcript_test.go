package consensus

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/algotest"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
	"github.com/dsbench/dsbench/workloads"
)

var updateTranscripts = flag.Bool("update", false, "rewrite testdata/raft/*.txt with the transcripts the code produces")

// TestRaftTranscripts steps consensus/raft through the scripts in
// testdata/raft, in the style of etcd raft's datadriven tests: each
// command's output — every message the nodes receive, in order, with its
// term, index, log term, commit and answer, and the nodes' state on demand —
// must equal the transcript recorded under it. A change in the protocol
// shows as a diff of the messages it sends. Commands:
//
//	new nodes=3 seed=1 [param=value …]   a cluster (consensus/raft parameters)
//	run 20ms                             advance virtual time, printing deliveries
//	put KEY / get KEY                    a client write / read through the leader
//	crash N / restart N                  a node fails / comes back
//	state                                each node's role, term, vote, commit, log
//
// go test ./algorithms/consensus -run TestRaftTranscripts -update rewrites
// the transcripts; read the diff before committing it.
func TestRaftTranscripts(t *testing.T) {
	files, _ := filepath.Glob("testdata/raft/*.txt")
	if len(files) == 0 {
		t.Fatal("no transcripts in testdata/raft")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) { runTranscript(t, f) })
	}
}

type transcript struct {
	t    *testing.T
	w    *harness.World
	s    *RaftSim
	out  strings.Builder
	seq  uint64
	keys map[*harness.Request]string
}

func runTranscript(t *testing.T, path string) {
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	blocks := strings.Split(string(raw), "\n\n")
	var rewritten []string
	tr := &transcript{t: t, keys: map[*harness.Request]string{}}
	for _, b := range blocks {
		b = strings.TrimRight(b, "\n")
		if strings.TrimSpace(b) == "" {
			continue
		}
		cmd, want, _ := strings.Cut(b, "\n----\n")
		cmd = strings.TrimSuffix(cmd, "\n----")
		var lines []string
		for _, l := range strings.Split(cmd, "\n") {
			if !strings.HasPrefix(l, "#") {
				lines = append(lines, l)
			}
		}
		tr.out.Reset()
		for _, l := range lines {
			tr.do(strings.Fields(l))
		}
		got := strings.TrimRight(tr.out.String(), "\n")
		if got == "" {
			got = "ok"
		}
		if *updateTranscripts {
			rewritten = append(rewritten, cmd+"\n----\n"+got)
			continue
		}
		if got != want {
			t.Errorf("%s: %s\n--- want\n%s\n--- got\n%s", filepath.Base(path), cmd, want, got)
			return
		}
	}
	if *updateTranscripts {
		if err := os.WriteFile(path, []byte(strings.Join(rewritten, "\n\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func (tr *transcript) do(f []string) {
	t := tr.t
	if len(f) == 0 {
		return
	}
	switch f[0] {
	case "new":
		params := map[string]string{}
		seed := uint64(1)
		for _, kv := range f[1:] {
			k, v, _ := strings.Cut(kv, "=")
			if k == "seed" {
				seed, _ = strconv.ParseUint(v, 10, 64)
				continue
			}
			params[k] = v
		}
		s := algotest.Build(t, "consensus/raft", params, "", algotest.Options{Clock: algorithms.Virtual, Seed: seed}).(*RaftSim)
		tr.w = harness.NewWorld(seed, func(req *harness.Request, o harness.Outcome) {
			fmt.Fprintf(&tr.out, "%s done %s err=%v\n", tr.now(), tr.keys[req], o.Err)
		})
		tr.s = s
		s.Setup(tr.w)
		s.nt.Trace = tr.trace
	case "run":
		d, err := time.ParseDuration(f[1])
		if err != nil {
			t.Fatal(err)
		}
		tr.w.RunUntil(tr.w.Now() + d)
	case "put", "get":
		kind := workloads.Update
		if f[0] == "get" {
			kind = workloads.Read
		}
		key, _ := strconv.ParseUint(f[1], 10, 64)
		tr.seq++
		req := &harness.Request{Op: workloads.Op{Kind: kind, Key: key, Seq: tr.seq, At: tr.w.Now()}}
		tr.keys[req] = f[0] + " " + f[1]
		tr.s.Start(tr.w, req)
	case "crash":
		n, _ := strconv.Atoi(f[1])
		tr.s.nt.Crash(n)
		fmt.Fprintf(&tr.out, "%s crash n%d\n", tr.now(), n)
	case "restart":
		n, _ := strconv.Atoi(f[1])
		tr.s.nt.Restart(n)
		fmt.Fprintf(&tr.out, "%s restart n%d\n", tr.now(), n)
	case "state":
		for _, n := range tr.s.nodes {
			up := ""
			if !tr.s.nt.Up(n.id) {
				up = " (down)"
			}
			fmt.Fprintf(&tr.out, "n%d %s term=%d vote=%d commit=%d last=%d%s\n", n.id, roleName(n.state), n.term, n.votedFor, n.commit, n.lastIndex(), up)
		}
	default:
		t.Fatalf("unknown transcript command %q", f[0])
	}
}

func (tr *transcript) now() string { return fmt.Sprintf("%8.3fms", float64(tr.w.Now())/1e6) }

// trace prints one delivered message with the fields that matter to Raft.
func (tr *transcript) trace(m *simnet.Msg[rmsg]) {
	from, to := fmt.Sprintf("n%d", m.From), fmt.Sprintf("n%d", m.To)
	if m.From == simnet.External {
		from = "client"
	}
	if m.To == simnet.External {
		to = "client"
	}
	p := m.Payload
	fmt.Fprintf(&tr.out, "%s %s→%s %s", tr.now(), from, to, raftKinds[m.Kind])
	switch k := m.Kind; {
	case k == rRequest:
		fmt.Fprintf(&tr.out, " cmd=%d", p.E.e.cmd)
	case k == rReply:
		fmt.Fprintf(&tr.out, " cmd=%d val=%d", p.Cmd, p.Val)
	default:
		fmt.Fprintf(&tr.out, " term=%d", p.Term)
		if p.Index > 0 || p.LogTerm > 0 {
			fmt.Fprintf(&tr.out, " index=%d logterm=%d", p.Index, p.LogTerm)
		}
		if p.Commit > 0 {
			fmt.Fprintf(&tr.out, " commit=%d", p.Commit)
		}
		if n := p.N; n > 0 {
			fmt.Fprintf(&tr.out, " entries=%d", n)
		}
		if p.Ok {
			fmt.Fprint(&tr.out, " ok")
		}
	}
	fmt.Fprintln(&tr.out)
}

func roleName(r role) string {
	switch r {
	case leader:
		return "leader"
	case candidate:
		return "candidate"
	}
	return "follower"
}

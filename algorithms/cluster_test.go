package algorithms

import (
	"strings"
	"testing"
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
)

func simNil(Env) (harness.SimTarget, error) { return nil, nil }

// A target registered with Cluster gets the whole vocabulary (minus what
// it omits) with its own defaults; fault specs are validated at Resolve;
// old names are aliases.
func TestClusterParams(t *testing.T) {
	Register(Info{
		Name:    "testcluster/x",
		Params:  []Param{{Name: "own", Type: Int, Default: "1"}},
		NewSim:  simNil,
		Cluster: &ClusterSpec{Defaults: map[string]string{"nodes": "3", "cpu_recv": "10us"}, MaxNodes: 7, Omit: []string{"dup"}},
		Aliases: map[string]string{"servers": "nodes", "down": "crash"},
	})
	info, err := Lookup("testcluster/x")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, p := range info.Params {
		names[p.Name] = true
		if p.Cluster == (p.Name == "own") {
			t.Errorf("%s: Cluster=%v", p.Name, p.Cluster)
		}
	}
	for _, want := range []string{"nodes", "delay", "jitter", "loss", "fifo", "cpu_send", "cpu_recv", "fsync", "group_commit", "crash", "crash_at", "restart_at", "partition", "fault_gap", "fault_len", "faults_end", "slow"} {
		if !names[want] {
			t.Errorf("cluster parameter %s missing", want)
		}
	}
	if names["dup"] {
		t.Error("omitted dup declared")
	}
	p, err := info.Resolve(map[string]string{"servers": "5", "down": "leader", "partition": "isolate:2@1s..2s", "slow": "1:3"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := ClusterOf(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.Net.Nodes != 5 || c.Faults.Crash.Kind != simnet.SelectLeader || c.Faults.Partition.From != time.Second || len(c.Slow) != 1 || c.Net.CPURecv.Mean() != 10*time.Microsecond || !c.Net.GroupCommit {
		t.Errorf("cluster %+v", c)
	}
	for raw, want := range map[string]string{
		"nodes=8":             "out of range",
		"crash=9":             "not a node",
		"partition=isolate:7": "isolate needs",
		"slow=0:0":            "factor",
		"restart_at=100ms":    "restart_at",
		"dup=0.1":             "no parameter",
	} {
		k, v, _ := strings.Cut(raw, "=")
		m := map[string]string{k: v}
		if k == "restart_at" {
			m["crash"] = "1"
		}
		if _, err := info.Resolve(m); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Resolve(%s) = %v, want an error with %q", raw, err, want)
		}
	}
	if _, err := info.Resolve(map[string]string{"servers": "3", "nodes": "3"}); err == nil {
		t.Error("an alias and its name together accepted")
	}
	if !strings.Contains(info.AliasNote(), "servers → nodes") {
		t.Errorf("alias note %q", info.AliasNote())
	}
	// A family may not declare a cluster word itself.
	defer func() {
		if recover() == nil {
			t.Error("a family declaring delay itself was registered")
		}
	}()
	Register(Info{Name: "testcluster/y", Params: []Param{{Name: "delay", Type: Dist, Default: "1ms"}}, NewSim: simNil, Cluster: &ClusterSpec{}})
}

// FaultWords declares the cluster's fault words with ClusterParams' names,
// types, defaults and ranges (only the docs' clock changes), and FaultsOf
// parses them as ClusterOf does.
func TestFaultWordsAreTheClusterVocabulary(t *testing.T) {
	words := FaultWords("the table's clock", map[string]string{"crash": "here a node is a server"})
	want := map[string]Param{}
	for _, p := range ClusterParams() {
		want[p.Name] = p
	}
	var names []string
	for _, p := range words {
		names = append(names, p.Name)
		w := want[p.Name]
		if p.Type != w.Type || p.Default != w.Default || p.Min != w.Min || p.Max != w.Max || p.HasRange != w.HasRange || p.Cluster {
			t.Errorf("%s: %+v, the cluster declares %+v", p.Name, p, w)
		}
		if strings.Contains(p.Doc, "virtual") {
			t.Errorf("%s: doc %q still says virtual time", p.Name, p.Doc)
		}
	}
	if strings.Join(names, " ") != "crash crash_at restart_at partition" {
		t.Fatalf("fault words %v", names)
	}
	if !strings.Contains(words[0].Doc, "here a node is a server") || !strings.Contains(words[1].Doc, "the table's clock") {
		t.Errorf("docs %q / %q", words[0].Doc, words[1].Doc)
	}
	raw := map[string]string{"crash": "2", "crash_at": "1s", "restart_at": "3s", "partition": "isolate:1@2s..4s"}
	f, err := FaultsOf(TestParams(words, raw), 4)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ClusterOfNodes(TestParams(ClusterParams(), raw), 4)
	if err != nil {
		t.Fatal(err)
	}
	if f.Crash != c.Faults.Crash || f.CrashAt != c.Faults.CrashAt || f.RestartAt != c.Faults.RestartAt || f.Partition.String() != c.Faults.Partition.String() || f.Partition.From != 2*time.Second {
		t.Errorf("FaultsOf %+v, ClusterOf %+v", f, c.Faults)
	}
	raw["restart_at"] = "500ms"
	if _, err := FaultsOf(TestParams(words, raw), 4); err == nil || !strings.Contains(err.Error(), "must be after crash_at") {
		t.Errorf("restart_at before crash_at: %v", err)
	}
}

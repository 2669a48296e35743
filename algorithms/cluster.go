package algorithms

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
)

// ClusterSpec marks a target that runs on the simulated cluster
// (harness/simnet) and takes its parameters: the same words in every
// networked family (simnet/params.go), declared here once and shown once by
// `dsbench list`.
type ClusterSpec struct {
	// Defaults overrides the cluster parameters' defaults for this family
	// (e.g. nodes=3 for a ZooKeeper ensemble).
	Defaults map[string]string
	// MaxNodes bounds nodes (0: simnet.MaxNodes).
	MaxNodes int
	// Omit lists cluster parameters the family cannot honour (say why in
	// its NOTES.md); they are not declared for it, so setting one is a
	// usage error that lists the valid names.
	Omit []string
}

const day = float64(24 * time.Hour)

// ClusterParams are the cluster vocabulary with the global defaults, in the
// order `dsbench list` shows them.
func ClusterParams() []Param {
	return []Param{
		Param{Name: simnet.ParamNodes, Type: Int, Default: "5", Doc: simnet.DocNodes}.Range(1, simnet.MaxNodes),
		{Name: simnet.ParamDelay, Type: Dist, Default: simnet.DefaultDelay, Doc: simnet.DocDelay},
		{Name: simnet.ParamJitter, Type: Dist, Default: simnet.DefaultJitter, Doc: simnet.DocJitter},
		Param{Name: simnet.ParamLoss, Type: Float, Default: simnet.DefaultLoss, Doc: simnet.DocLoss}.Range(0, 0.99),
		Param{Name: simnet.ParamDup, Type: Float, Default: simnet.DefaultDup, Doc: simnet.DocDup}.Range(0, 1),
		{Name: simnet.ParamFIFO, Type: Bool, Default: simnet.DefaultFIFO, Doc: simnet.DocFIFO},
		{Name: simnet.ParamCPUSend, Type: Dist, Default: simnet.DefaultCPUSend, Doc: simnet.DocCPUSend},
		{Name: simnet.ParamCPURecv, Type: Dist, Default: simnet.DefaultCPURecv, Doc: simnet.DocCPURecv},
		{Name: simnet.ParamFsync, Type: Dist, Default: simnet.DefaultFsync, Doc: simnet.DocFsync},
		{Name: simnet.ParamGroup, Type: Bool, Default: simnet.DefaultGroup, Doc: simnet.DocGroup},
		{Name: simnet.ParamCrash, Type: String, Default: simnet.DefaultCrash, Doc: simnet.DocCrash},
		Param{Name: simnet.ParamCrashAt, Type: Duration, Default: simnet.DefaultCrashAt, Doc: simnet.DocCrashAt}.Range(0, day),
		Param{Name: simnet.ParamRestartAt, Type: Duration, Default: simnet.DefaultRestartAt, Doc: simnet.DocRestartAt}.Range(0, day),
		{Name: simnet.ParamPartition, Type: String, Default: simnet.DefaultPartition, Doc: simnet.DocPartition},
		Param{Name: simnet.ParamFaultGap, Type: Duration, Default: simnet.DefaultFaultGap, Doc: simnet.DocFaultGap}.Range(0, float64(time.Hour)),
		Param{Name: simnet.ParamFaultLen, Type: Duration, Default: simnet.DefaultFaultLen, Doc: simnet.DocFaultLen}.Range(float64(time.Microsecond), float64(time.Hour)),
		Param{Name: simnet.ParamFaultsEnd, Type: Duration, Default: simnet.DefaultFaultsEnd, Doc: simnet.DocFaultsEnd}.Range(0, day),
		{Name: simnet.ParamSlow, Type: String, Default: simnet.DefaultSlow, Doc: simnet.DocSlow},
	}
}

// IsClusterParam reports whether name is a word of the cluster vocabulary.
func IsClusterParam(name string) bool {
	for _, p := range ClusterParams() {
		if p.Name == name {
			return true
		}
	}
	return false
}

// clusterParams returns the cluster parameters as a family declares them.
func (c *ClusterSpec) params() ([]Param, error) {
	omit := map[string]bool{}
	for _, o := range c.Omit {
		if !IsClusterParam(o) {
			return nil, fmt.Errorf("omits %q, which is not a cluster parameter", o)
		}
		omit[o] = true
	}
	for name := range c.Defaults {
		if !IsClusterParam(name) {
			return nil, fmt.Errorf("sets a default for %q, which is not a cluster parameter", name)
		}
	}
	var out []Param
	for _, p := range ClusterParams() {
		if omit[p.Name] {
			continue
		}
		if d, ok := c.Defaults[p.Name]; ok {
			p.Default = d
		}
		if p.Name == simnet.ParamNodes && c.MaxNodes > 0 {
			p.Max = float64(c.MaxNodes)
		}
		p.Cluster = true
		out = append(out, p)
	}
	return out, nil
}

// Cluster is the parsed cluster vocabulary of one target's parameters.
type Cluster struct {
	Net    simnet.Config
	Faults simnet.Faults
	Slow   []simnet.Slow
}

// ClusterOf parses the cluster parameters of p (declared through
// Info.Cluster). Omitted parameters keep simnet's zero values.
func ClusterOf(p Params) (Cluster, error) { return ClusterOfNodes(p, p.Int(simnet.ParamNodes)) }

// ClusterOfNodes is ClusterOf for a family whose node count follows from its
// own parameters (say channel servers + gateways): it omits `nodes` and
// passes n, against which node selectors are checked.
func ClusterOfNodes(p Params, n int) (Cluster, error) {
	var c Cluster
	has := p.Has
	c.Net.Nodes = n
	if has(simnet.ParamDelay) {
		c.Net.Delay = p.Dist(simnet.ParamDelay)
	}
	if has(simnet.ParamJitter) {
		c.Net.Jitter = p.Dist(simnet.ParamJitter)
	}
	if has(simnet.ParamLoss) {
		c.Net.Loss = p.Float(simnet.ParamLoss)
	}
	if has(simnet.ParamDup) {
		c.Net.Dup = p.Float(simnet.ParamDup)
	}
	if has(simnet.ParamFIFO) {
		c.Net.FIFO = p.Bool(simnet.ParamFIFO)
	}
	if has(simnet.ParamCPUSend) {
		c.Net.CPUSend = p.Dist(simnet.ParamCPUSend)
	}
	if has(simnet.ParamCPURecv) {
		c.Net.CPURecv = p.Dist(simnet.ParamCPURecv)
	}
	if has(simnet.ParamFsync) {
		c.Net.Fsync = p.Dist(simnet.ParamFsync)
	}
	if has(simnet.ParamGroup) {
		c.Net.GroupCommit = p.Bool(simnet.ParamGroup)
	}
	var err error
	if c.Faults, err = FaultsOf(p, n); err != nil {
		return c, err
	}
	if has(simnet.ParamSlow) {
		if c.Slow, err = simnet.ParseSlow(p.String(simnet.ParamSlow), n); err != nil {
			return c, fmt.Errorf("parameter %v", err)
		}
	}
	if err := c.Net.Check(); err != nil {
		return c, err
	}
	return c, nil
}

// FaultWords are the cluster vocabulary's scheduled-fault words — crash,
// crash_at, restart_at, partition — exactly as ClusterParams declares them
// (names, types, defaults, ranges, value syntax), for a target that is not
// on the simulated cluster but injects the same faults itself (a wall-clock
// engine such as storage/bigtable). The family declares them in its own
// Params and parses them with FaultsOf. clock replaces "virtual time" in
// the docs (what the times count from); notes[word] is appended to that
// word's doc (what a node, the leader, an accepted form are there).
func FaultWords(clock string, notes map[string]string) []Param {
	var out []Param
	for _, p := range ClusterParams() {
		switch p.Name {
		case simnet.ParamCrash, simnet.ParamCrashAt, simnet.ParamRestartAt, simnet.ParamPartition:
		default:
			continue
		}
		p.Doc = strings.ReplaceAll(p.Doc, "virtual time", clock)
		if p.Name == simnet.ParamPartition {
			p.Doc += "; FROM and TO are " + clock
		}
		if n := notes[p.Name]; n != "" {
			p.Doc += " — " + n
		}
		out = append(out, p)
	}
	return out
}

// FaultsOf parses the fault words p declares (crash, crash_at, restart_at,
// partition, and fault_gap, fault_len, faults_end when declared) for a
// cluster of n nodes and checks them (restart_at after crash_at, nodes in
// range). ClusterOfNodes parses them through it; a family declaring
// FaultWords calls it itself.
func FaultsOf(p Params, n int) (simnet.Faults, error) {
	var f simnet.Faults
	var err error
	if p.Has(simnet.ParamCrash) {
		if f.Crash, err = simnet.ParseSelector(p.String(simnet.ParamCrash), n); err != nil {
			return f, fmt.Errorf("parameter crash: %v", err)
		}
		f.CrashAt = p.Duration(simnet.ParamCrashAt)
		f.RestartAt = p.Duration(simnet.ParamRestartAt)
	}
	if p.Has(simnet.ParamPartition) {
		if f.Partition, err = simnet.ParsePartition(p.String(simnet.ParamPartition), n); err != nil {
			return f, fmt.Errorf("parameter %v", err)
		}
	}
	if p.Has(simnet.ParamFaultGap) {
		f.Plan = simnet.FaultPlan{
			Gap: p.Duration(simnet.ParamFaultGap), Len: p.Duration(simnet.ParamFaultLen), End: p.Duration(simnet.ParamFaultsEnd),
		}
	}
	if err := f.Check(n); err != nil {
		return f, err
	}
	return f, nil
}

// NewNet builds the cluster's network on w for a protocol with payload P
// (slow nodes drawn from the world's source). The caller sets its handlers
// and Leader hook, then calls Schedule(c.Faults).
func NewNet[P any](w *harness.World, c Cluster, kinds []string) (*simnet.Net[P], error) {
	cfg := c.Net
	cfg.KindNames = kinds
	cfg.Slow = simnet.SlowFactors(c.Slow, cfg.Nodes, w.Rand())
	return simnet.New[P](w, cfg)
}

// ClusterMetrics are the figures every cluster reports: message counts (per
// op when ops > 0), the busiest node's CPU utilisation over elapsed virtual
// time, fsyncs and log writes per fsync, and the scheduled faults that
// happened.
func ClusterMetrics[P any](nt *simnet.Net[P], ops uint64, elapsed time.Duration) map[string]float64 {
	st := nt.Stats()
	m := map[string]float64{
		"messages_sent":      float64(st.Sent),
		"messages_delivered": float64(st.Delivered),
		"messages_dropped":   float64(st.Dropped),
	}
	if ops > 0 {
		m["messages_per_op"] = float64(st.Sent) / float64(ops)
	}
	if elapsed > 0 && (nt.Config().CPUSend != nil || nt.Config().CPURecv != nil) {
		var hi time.Duration
		for i := 0; i < nt.Nodes(); i++ {
			hi = max(hi, nt.CPUBusy(i))
		}
		m["cpu_util_max"] = float64(hi) / float64(elapsed)
	}
	if st.Fsyncs > 0 {
		m["fsyncs"] = float64(st.Fsyncs)
		m["writes_per_fsync"] = float64(st.LogWrites) / float64(st.Fsyncs)
	}
	if st.FaultCrashes > 0 || st.FaultPartitions > 0 {
		m["faults_injected"] = float64(st.FaultCrashes + st.FaultPartitions)
	}
	return m
}

// aliasNote is the help text of a target's aliases.
func (i *Info) AliasNote() string {
	if len(i.Aliases) == 0 {
		return ""
	}
	var parts []string
	for old, now := range i.Aliases {
		parts = append(parts, old+" → "+now)
	}
	sort.Strings(parts)
	return "old parameter names still accepted for one release: " + strings.Join(parts, ", ")
}

// applyAliases renames old parameter names in raw to their cluster names.
func (i *Info) applyAliases(raw map[string]string) (map[string]string, error) {
	if len(i.Aliases) == 0 {
		return raw, nil
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		if now, ok := i.Aliases[k]; ok {
			if _, both := raw[now]; both {
				return nil, fmt.Errorf("%s: %s is the old name of %s; give one of them", i.Name, k, now)
			}
			k = now
		}
		out[k] = v
	}
	return out, nil
}

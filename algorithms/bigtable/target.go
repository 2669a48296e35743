package bigtable

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/dsbench/dsbench/algorithms"
	"github.com/dsbench/dsbench/algorithms/lsm"
	"github.com/dsbench/dsbench/algorithms/storage"
	"github.com/dsbench/dsbench/harness"
	"github.com/dsbench/dsbench/harness/simnet"
)

// Params of storage/bigtable: its own, then the cluster vocabulary's fault
// words (crash, crash_at, restart_at, partition) from algorithms.FaultWords:
// the same names, syntax and defaults as on the simulated cluster, with this
// table's clock.
var Params = append([]algorithms.Param{
	{Name: "dir", Type: algorithms.String, Default: "",
		Doc: "table directory (one subdirectory per tablet); empty = a temporary directory removed after the run", Dir: true},
	algorithms.Param{Name: "servers", Type: algorithms.Int, Default: "4",
		Doc: "in-process tablet servers (the shards of the run)"}.Range(1, 1024),
	algorithms.Param{Name: "split", Type: algorithms.Int, Default: "8388608",
		Doc: "tablet size in bytes (written since creation or last major compaction, plus live bytes then) past which it splits"}.Range(4<<10, 1<<40),
	algorithms.Param{Name: "major", Type: algorithms.Int, Default: "33554432",
		Doc: "bytes written to a tablet between major compactions (which apply the GC rules); 0 = never"}.Range(0, 1<<40),
	algorithms.Param{Name: "memtable", Type: algorithms.Int, Default: "1048576",
		Doc: "memtable bytes of each tablet's LSM before a minor compaction"}.Range(4<<10, 1<<30),
	{Name: "sync", Type: algorithms.Enum, Default: "none", Choices: []string{"always", "batch", "none"},
		Doc: "commit-log fsync policy of each tablet's LSM"},
	algorithms.Param{Name: "families", Type: algorithms.Int, Default: "1",
		Doc: "column families f0…: an update writes one cell of a random family, a read and a scan return the newest versions of one random family's columns"}.Range(1, 64),
	algorithms.Param{Name: "columns", Type: algorithms.Int, Default: "1",
		Doc: "qualifiers c0… per family: an update writes a random one; the load writes c0 of every family"}.Range(1, 256),
	algorithms.Param{Name: "max_versions", Type: algorithms.Int, Default: "3",
		Doc: "every family's GC rule: keep the newest N versions of each cell (0 = all); older ones are invisible at once and dropped at the next major compaction"}.Range(0, 1<<20),
	algorithms.Param{Name: "ttl", Type: algorithms.Duration, Default: "0s",
		Doc: "every family's GC rule: versions older than this are invisible and dropped at major compactions (0 = forever)"}.Range(0, float64(365*24*time.Hour)),
	{Name: "family_gc", Type: algorithms.String, Default: "",
		Doc: "per-family GC rules overriding max_versions and ttl, one per family from f0: VERSIONS or VERSIONS/TTL, comma-separated (e.g. 1,3/10s,0/1m)"},
	{Name: "location_cache", Type: algorithms.Bool, Default: "true",
		Doc: "clients cache tablet locations (false: every op looks its tablet up through the lock-service file, the root and a METADATA tablet)"},
	algorithms.Param{Name: "meta_rows", Type: algorithms.Int, Default: "16",
		Doc: "tablet locations a METADATA tablet holds before it splits"}.Range(2, 1<<20),
	algorithms.Param{Name: "rtt", Type: algorithms.Duration, Default: "0s",
		Doc: "client-server round trip: a client sleeps this long for every request (a data op, each lookup level)"}.Range(0, float64(time.Second)),
	algorithms.Param{Name: "lease", Type: algorithms.Duration, Default: "1s",
		Doc: "tablet servers' lock-service session lease; the master polls the servers' lock files every lease/2"}.Range(float64(10*time.Millisecond), float64(time.Hour)),
	algorithms.Param{Name: "lose_lock", Type: algorithms.Int, Default: "-1",
		Doc: "server whose lock-service session stops being renewed at lose_at: it stops serving when its lease runs out and the master reassigns its tablets (-1 = none)"}.Range(-1, 1023),
	algorithms.Param{Name: "lose_at", Type: algorithms.Duration, Default: "2s",
		Doc: "when lose_lock's server is cut off from the lock service (since the table opened, load included)"}.Range(0, float64(24*time.Hour)),
}, algorithms.FaultWords("wall-clock time since the table opened, --load included", map[string]string{
	"crash":     "here a node is a tablet server 0 … servers−1 (it stops serving at once; the master reassigns its tablets once its lease runs out; restart_at brings it back empty) and leader is the master (a standby takes over once its lease runs out)",
	"partition": "here only isolate:S|random (tablet server S cut off from the lock service and its clients; it stops serving, loses its lock one lease later and re-registers at TO)",
})...)

// faultsFrom parses the fault words for servers tablet servers; random
// servers are drawn from seed. Forms this wall-clock table has no meaning
// for are refused naming the accepted ones.
func faultsFrom(p algorithms.Params, seed uint64) (*Crash, *Isolation, error) {
	n := p.Int("servers")
	f, err := algorithms.FaultsOf(p, n)
	if err != nil && strings.Contains(err.Error(), "partition") {
		return nil, nil, fmt.Errorf("storage/bigtable: %v; this target takes none or isolate:S|random[@FROM..TO] with S in 0 … %d", err, n-1)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("storage/bigtable: %v", err)
	}
	r := rand.New(rand.NewPCG(seed, 0xfa17))
	var c *Crash
	switch f.Crash.Kind {
	case simnet.SelectNode:
		c = &Crash{Server: f.Crash.Node}
	case simnet.SelectRandom:
		c = &Crash{Server: r.IntN(n)}
	case simnet.SelectLeader:
		c = &Crash{Master: true}
	}
	if c != nil {
		c.At, c.RestartAt = f.CrashAt, f.RestartAt
	}
	var iso *Isolation
	switch pt := f.Partition; pt.Kind {
	case simnet.PartitionNone:
	case simnet.PartitionIsolate:
		if pt.A.Kind == simnet.SelectLeader {
			return nil, nil, fmt.Errorf("storage/bigtable: partition=%q: isolate:leader is not offered (the master is not a tablet server; crash=leader fails it over); valid: none or isolate:S|random[@FROM..TO] with S in 0 … %d", p.String(simnet.ParamPartition), n-1)
		}
		s := pt.A.Node
		if pt.A.Kind == simnet.SelectRandom {
			s = r.IntN(n)
		}
		iso = &Isolation{Server: s, From: pt.From, To: pt.To}
	default:
		return nil, nil, fmt.Errorf("storage/bigtable: partition=%q: this wall-clock table has no network links to split or cut one way; valid: none or isolate:S|random[@FROM..TO] with S in 0 … %d (a tablet server cut off from the lock service and its clients)", p.String(simnet.ParamPartition), n-1)
	}
	return c, iso, nil
}

func init() {
	algorithms.Register(algorithms.Info{
		Name:        "storage/bigtable",
		Description: "Bigtable over the LSM: rows x column families x timestamped versions with GC, splitting tablets, METADATA lookups with client location caches, a master assigning tablets through server locks",
		Params:      Params,
		Workload:    storage.TourWorkload,
		Loads:       true,
		Check: func(p algorithms.Params) error {
			if s, n := p.Int("lose_lock"), p.Int("servers"); s >= n {
				return fmt.Errorf("storage/bigtable: lose_lock=%d: no such server (valid: -1 for none, 0 … %d with servers=%d)", s, n-1, n)
			}
			if _, _, err := faultsFrom(p, 0); err != nil {
				return err
			}
			_, err := familiesFrom(p)
			return err
		},
		NewWall: func(env algorithms.Env) (harness.Target, error) {
			p := env.Params
			fams, err := familiesFrom(p)
			if err != nil {
				return nil, err
			}
			o := Options{
				Servers:    p.Int("servers"),
				SplitBytes: int64(p.Int("split")),
				MajorBytes: int64(p.Int("major")),
				Open:       LSMOpener(lsm.Options{Sync: p.String("sync"), MemtableBytes: p.Int("memtable"), BloomBitsPerKey: lsm.DefaultBloomBits}),
				Families:   fams,
				MetaRows:   p.Int("meta_rows"),
				RTT:        p.Duration("rtt"),
				Lease:      p.Duration("lease"),
				Backoff:    p.Duration("lease") / 16,
				Retries:    40,
			}
			if s := p.Int("lose_lock"); s >= 0 {
				if s >= o.Servers {
					return nil, fmt.Errorf("storage/bigtable: lose_lock=%d: no such server (valid: -1 for none, 0 … %d)", s, o.Servers-1)
				}
				o.Lose = &LockLoss{Server: s, At: p.Duration("lose_at")}
			}
			if o.Crash, o.Isolate, err = faultsFrom(p, env.Seed); err != nil {
				return nil, err
			}
			tb, err := Open(p.String("dir"), o)
			if err != nil {
				return nil, err
			}
			return NewTarget(tb, p.Int("columns"), p.Bool("location_cache"), env.Seed), nil
		},
	})
}

// familiesFrom builds the families' GC rules: max_versions and ttl for
// every family, overridden per family by family_gc.
func familiesFrom(p algorithms.Params) ([]Family, error) {
	fams := make([]Family, p.Int("families"))
	for i := range fams {
		fams[i] = Family{MaxVersions: p.Int("max_versions"), TTL: p.Duration("ttl")}
	}
	spec := p.String("family_gc")
	if spec == "" {
		return fams, nil
	}
	rules := strings.Split(spec, ",")
	if len(rules) > len(fams) {
		return nil, fmt.Errorf("storage/bigtable: family_gc=%q: %d rules for families=%d (valid: at most one rule per family)", spec, len(rules), len(fams))
	}
	for i, r := range rules {
		v, ttl, hasTTL := strings.Cut(strings.TrimSpace(r), "/")
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("storage/bigtable: family_gc=%q: rule %d (%q): versions must be an integer >= 0 (valid: VERSIONS or VERSIONS/TTL, e.g. 3/10s)", spec, i, r)
		}
		fams[i].MaxVersions = n
		if hasTTL {
			d, err := time.ParseDuration(ttl)
			if err != nil || d < 0 {
				return nil, fmt.Errorf("storage/bigtable: family_gc=%q: rule %d (%q): TTL must be a duration >= 0 (valid: VERSIONS or VERSIONS/TTL, e.g. 3/10s)", spec, i, r)
			}
			fams[i].TTL = d
		}
	}
	return fams, nil
}

// LSMOpener opens each tablet as an lsm.DB with base options o.
func LSMOpener(o lsm.Options) func(dir string) (storage.KV, error) {
	return func(dir string) (storage.KV, error) {
		o := o
		o.Dir = dir
		return lsm.Open(o)
	}
}

// OwnedTable is a Table in a directory it may own.
type OwnedTable struct {
	*Table
	dir   string
	owned bool
}

// Open creates a table in dir, or in a temporary directory removed on Close
// when dir is empty.
func Open(dir string, o Options) (*OwnedTable, error) {
	owned := false
	if dir == "" {
		d, err := os.MkdirTemp("", "dsbench-bigtable-*")
		if err != nil {
			return nil, err
		}
		dir, owned = d, true
	}
	o.Dir = dir
	t, err := New(o)
	if err != nil {
		if owned {
			os.RemoveAll(dir)
		}
		return nil, err
	}
	return &OwnedTable{Table: t, dir: dir, owned: owned}, nil
}

// Close closes the tablets and removes a temporary directory.
func (o *OwnedTable) Close() error {
	err := o.Table.Close()
	if o.owned {
		if rerr := os.RemoveAll(o.dir); err == nil {
			err = rerr
		}
	}
	return err
}

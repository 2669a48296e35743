package workloads

import (
	"bytes"
	"testing"
)

func stream(t *testing.T, spec string, seed uint64, part Part, n int) []Op {
	t.Helper()
	s, err := ParseSpec(spec)
	if err != nil {
		t.Fatal(err)
	}
	g, err := s.Generator(seed, part)
	if err != nil {
		t.Fatal(err)
	}
	ops := make([]Op, n)
	for i := range ops {
		g.Next(&ops[i])
	}
	return ops
}

func encode(t *testing.T, ops []Op) []byte {
	var b bytes.Buffer
	if err := WriteTraceBinary(&b, ops); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const busySpec = "keys=scrambled-zipf:theta=0.99,n=1e5 mix=read:0.4,update:0.2,insert:0.1,scan:0.1,rmw:0.1,delete:0.1 size=hist:100:0.5|1000:0.5 clients=zipf:theta=0.8,n=100 arrival=mmpp:rates=1000|20000,stay=1s|100ms"

// Same spec and seed: the same bytes; another seed or part: another stream.
func TestGeneratorDeterministic(t *testing.T) {
	a := encode(t, stream(t, busySpec, 1, Whole, 5000))
	b := encode(t, stream(t, busySpec, 1, Whole, 5000))
	c := encode(t, stream(t, busySpec, 2, Whole, 5000))
	d := encode(t, stream(t, busySpec, 1, Part{1, 2}, 5000))
	if !bytes.Equal(a, b) {
		t.Error("same seed, different streams")
	}
	if bytes.Equal(a, c) || bytes.Equal(a, d) {
		t.Error("another seed or part gives the same stream")
	}
	// A pinned value guards against accidental changes to the stream
	// (PCG, SplitMix64 and the draw order are part of the contract).
	ops := stream(t, "ycsb-a", 1, Whole, 3)
	if ops[0].Key != 395689 || ops[1].Key != 154264 || ops[2].Key != 395689 || ops[0].Kind != Read {
		t.Errorf("ycsb-a seed 1 starts %+v: the stream changed", ops)
	}
}

// Seq counts from 0 in each part; a closed loop has no intended times; an
// open one has non-decreasing ones.
func TestGeneratorSeqAndTimes(t *testing.T) {
	for i, op := range stream(t, "ycsb-b", 3, Part{2, 4}, 100) {
		if op.Seq != uint64(i) || op.At != 0 {
			t.Fatalf("op %d: seq %d at %v", i, op.Seq, op.At)
		}
	}
	ops := stream(t, busySpec, 3, Part{1, 3}, 5000)
	for i := 1; i < len(ops); i++ {
		if ops[i].At < ops[i-1].At {
			t.Fatalf("op %d at %v before op %d at %v", i, ops[i].At, i-1, ops[i-1].At)
		}
	}
}

// Inserts take the next unused ids; parts never insert the same key and
// together insert a contiguous range.
func TestGeneratorInserts(t *testing.T) {
	const n0, parts = 1000, 3
	seen := map[uint64]bool{}
	total := 0
	for k := 0; k < parts; k++ {
		for _, op := range stream(t, "keys=uniform:n=1000 mix=read:0.5,insert:0.5", 1, Part{k, parts}, 3000) {
			if op.Kind != Insert {
				continue
			}
			if seen[op.Key] || op.Key < n0 {
				t.Fatalf("part %d inserts key %d twice or inside the initial keyspace", k, op.Key)
			}
			if op.Key%parts != uint64((n0+k)%parts) {
				t.Fatalf("part %d inserts key %d outside its residue class", k, op.Key)
			}
			seen[op.Key] = true
			total++
		}
	}
	// Each part inserted a prefix of its class: the union has no holes
	// below the smallest part's reach.
	holes := 0
	for k := uint64(n0); k < n0+uint64(total); k++ {
		if !seen[k] {
			holes++
		}
	}
	if holes > 3*parts*20 {
		t.Errorf("%d holes among %d inserted keys", holes, total)
	}
	// Reads follow the growth: with latest, reads land on the newest keys.
	ops := stream(t, "ycsb-d keys=latest:theta=0.99,n=1000", 1, Whole, 20000)
	var last uint64
	above := 0
	for _, op := range ops {
		if op.Kind == Insert {
			last = op.Key
		} else if op.Key > 1000 && op.Key <= last {
			above++
		} else if op.Key > last && last > 0 {
			t.Fatalf("read of key %d beyond the newest insert %d", op.Key, last)
		}
	}
	if above < 10000 {
		t.Errorf("only %d reads of inserted keys: latest does not follow growth", above)
	}
}

// The parts together have the statistics of the whole: the hottest keys'
// shares and the kind split agree.
func TestGeneratorPartsMatchWhole(t *testing.T) {
	const n = 60_000
	whole := ComputeStats(NewTraceSource(stream(t, "ycsb-b", 5, Whole, n), Whole), n)
	var all []Op
	for k := 0; k < 4; k++ {
		all = append(all, stream(t, "ycsb-b", 5, Part{k, 4}, n/4)...)
	}
	parts := ComputeStats(NewTraceSource(all, Whole), n)
	if d := whole.Top10 - parts.Top10; d > 0.01 || d < -0.01 {
		t.Errorf("top-10 share: whole %.4f, parts %.4f", whole.Top10, parts.Top10)
	}
	if d := float64(whole.Kinds[Read]) - float64(parts.Kinds[Read]); d > 400 || d < -400 {
		t.Errorf("reads: whole %d, parts %d", whole.Kinds[Read], parts.Kinds[Read])
	}
}

func TestGeneratorRejectsBadParts(t *testing.T) {
	s, _ := ParseSpec("")
	for _, p := range []Part{{0, 0}, {-1, 2}, {2, 2}} {
		if _, err := s.Generator(1, p); err == nil {
			t.Errorf("part %v accepted", p)
		}
	}
}

// Next allocates nothing, for every kind of key, size, client and arrival.
func TestGeneratorNoAllocs(t *testing.T) {
	for _, spec := range []string{"ycsb-a", "ycsb-d", "ycsb-e", busySpec,
		"keys=hotspot:n=1000 arrival=gamma:rate=100,shape=0.5", "keys=exponential:n=1000 mix=insert:0.5,read:0.5 arrival=ramp:from=1,to=100,over=1s",
		"keys=weighted:p=0.5|0.5 size=zipf:theta=1,min=1,max=100 arrival=spike:rate=10,every=1s,for=100ms",
		"keys=sequential:n=10 arrival=pareto-onoff:rate=100,on=10ms,off=10ms,shape=1.5"} {
		s, _ := ParseSpec(spec)
		g, _ := s.Generator(1, Whole)
		var op Op
		if a := testing.AllocsPerRun(1000, func() { g.Next(&op) }); a != 0 {
			t.Errorf("%s: %v allocs per op", spec, a)
		}
	}
}

// Generators of one spec share its parsed tables; run in parallel (under
// -race) they give the streams they give alone.
func TestGeneratorsInParallel(t *testing.T) {
	s, _ := ParseSpec(busySpec + " size=hist:1:0.5|2:0.5 keys=weighted:p=0.25|0.75")
	want := make([][]byte, 4)
	for k := range want {
		want[k] = encode(t, stream(t, s.String(), 1, Part{k, 4}, 2000))
	}
	got := make([][]byte, 4)
	done := make(chan int)
	for k := range got {
		go func() {
			g, _ := s.Generator(1, Part{k, 4})
			ops := make([]Op, 2000)
			for i := range ops {
				g.Next(&ops[i])
			}
			var b bytes.Buffer
			WriteTraceBinary(&b, ops)
			got[k] = b.Bytes()
			done <- k
		}()
	}
	for range got {
		<-done
	}
	for k := range got {
		if !bytes.Equal(got[k], want[k]) {
			t.Errorf("part %d differs when run in parallel", k)
		}
	}
}

// Every size-dependent distribution follows the growth: after the keyspace
// has doubled by inserts, reads reach the new keys in about the share the
// distribution gives them over the grown space.
func TestKeyDistsFollowGrowth(t *testing.T) {
	for _, c := range []struct {
		keys     string
		minShare float64 // of reads on keys ≥ n0, late in the stream
	}{
		{"uniform:n=1000", 0.4},
		{"hotspot:hot=0.2,ops=0.8,n=1000", 0.15},
		{"exponential:n=1000", 0.5},
		{"latest:n=1000", 0.9},
		{"zipf:n=1000", 0.01}, // ranks ≥ 1000 of 2000: ζ(2000)−ζ(1000) over ζ(2000) ≈ 8%
	} {
		ops := stream(t, "mix=read:0.5,insert:0.5 keys="+c.keys, 1, Whole, 4000)
		reads, fresh := 0, 0
		for _, op := range ops[2000:] {
			if op.Kind == Read {
				reads++
				if op.Key >= 1000 {
					fresh++
				}
			}
		}
		if share := float64(fresh) / float64(reads); share < c.minShare {
			t.Errorf("%s: %.3f of late reads on inserted keys, want ≥ %v", c.keys, share, c.minShare)
		}
	}
}

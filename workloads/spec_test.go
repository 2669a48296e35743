package workloads

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

var roundTripSpecs = []string{
	"",
	"ycsb-a", "ycsb-b", "ycsb-c", "ycsb-d", "ycsb-e", "ycsb-f",
	"ycsb-a arrival=poisson:rate=1000",
	"keys=zipf:theta=1.2,n=1e7 mix=read:0.9,update:0.1 clients=zipf:theta=0.8,n=1000 arrival=mmpp:rates=1000|20000,stay=1s|100ms",
	"keys=scrambled-zipf:theta=0.99,n=1_000_000,key=7 mix=read:0.5,rmw:0.3,delete:0.2",
	"keys=hotspot:hot=0.1,ops=0.9,n=5000 size=uniform:min=10,max=1000 arrival=onoff:rate=20000,on=200ms,off=800ms",
	"keys=exponential:n=1000 size=hist:100:0.5|1000:0.5 arrival=pareto-onoff:rate=100,on=1s,off=2s,shape=1.4",
	"keys=weighted:p=0.5|0.3|0.2 mix=acquire:0.5,release:0.5 arrival=gamma:rate=50,shape=0.3",
	"keys=sequential:n=10 size=zipf:theta=1.1,min=1,max=4096 scan=const:n=10 arrival=ramp:from=0,to=1e4,over=10s",
	"keys=uniform:n=1 clients=1000 arrival=spike:rate=500,every=10s,for=1s,x=10",
	"keys=zipf:theta=0.99,n=1e6,method=gray mix=produce:0.7,consume:0.3 arrival=constant:rate=0.5",
	"keys=latest:theta=1.5,n=100 mix=route:1",
}

// String is canonical: parsing it gives an equal spec, and it is a fixed
// point.
func TestSpecRoundTrip(t *testing.T) {
	for _, in := range roundTripSpecs {
		s, err := ParseSpec(in)
		if err != nil {
			t.Fatalf("ParseSpec(%q): %v", in, err)
		}
		again, err := ParseSpec(s.String())
		if err != nil {
			t.Fatalf("ParseSpec(%q) (canonical of %q): %v", s.String(), in, err)
		}
		if !reflect.DeepEqual(s, again) || !s.Equal(again) {
			t.Errorf("round trip of %q:\n  %s\n  %s", in, s, again)
		}
		for _, tok := range SpecTokens {
			if !strings.Contains(s.String(), tok+"=") {
				t.Errorf("canonical %q lacks %s=", s, tok)
			}
		}
	}
}

func TestSpecDefaultsAndOverrides(t *testing.T) {
	def, _ := ParseSpec("")
	a, _ := ParseSpec("ycsb-a")
	var zero Spec
	if def.String() != a.String() || zero.String() != a.String() {
		t.Errorf("defaults %q, zero Spec %q, ycsb-a %q: want equal", def, zero, a)
	}
	want := "keys=scrambled-zipf:theta=0.99,n=1000000,key=0 mix=read:0.5,update:0.5 size=const:n=100 scan=uniform:min=1,max=100 clients=uniform:n=1 arrival=closed"
	if def.String() != want {
		t.Errorf("default spec\n  %s\nwant\n  %s", def, want)
	}
	if def.KeySpace() != 1e6 || def.Clients() != 1 || !def.Closed() || def.Rate() != 0 {
		t.Errorf("defaults: keyspace %d clients %d closed %v rate %v", def.KeySpace(), def.Clients(), def.Closed(), def.Rate())
	}
	s, _ := ParseSpec("ycsb-a arrival=poisson:rate=1000 clients=zipf:theta=0.8,n=1000 ycsb-c keys=uniform:n=10")
	// The later preset resets arrival and clients; the last token wins.
	if !s.Closed() || s.Clients() != 1 || s.KeySpace() != 10 || !s.Has(Read) || s.Has(Update) {
		t.Errorf("override order: %s", s)
	}
	s, _ = ParseSpec("ycsb-d arrival=poisson:rate=1e3 clients=zipf:theta=0.8,n=1000")
	if s.Closed() || s.Rate() != 1000 || s.Clients() != 1000 || !s.Has(Insert) || !strings.HasPrefix(s.KeyDist(), "latest:") {
		t.Errorf("ycsb-d with overrides: %s", s)
	}
	for _, p := range Presets() {
		if PresetSpec(p) == "" {
			t.Errorf("preset %s has no spec", p)
		}
	}
	if PresetSpec("ycsb-z") != "" {
		t.Error("unknown preset has a spec")
	}
}

func TestSpecErrors(t *testing.T) {
	for in, want := range map[string]string{
		"ycsb-z":                     "unknown preset or token \"ycsb-z\" (presets: ycsb-a",
		"keyz=uniform":               "unknown token \"keyz\"",
		"keys=zipfy":                 "unknown key distribution \"zipfy\" (valid: uniform, sequential, zipf",
		"keys=zipf:theta=0":          "theta",
		"keys=uniform:n=0":           "n=",
		"mix=read:0.5,update:0.4":    "sum to 0.9",
		"mix=read:0.5,read:0.5":      "twice",
		"mix=reed:1":                 "unknown op kind \"reed\" (valid: read, update",
		"mix=read":                   "KIND:PROBABILITY",
		"size=const:n=-1":            "n=",
		"size=uniform:min=10,max=5":  "below min",
		"size=hist:100:0.5|1000:0.6": "sum to 1.1",
		"size=huge":                  "unknown value size \"huge\"",
		"scan=hist:x":                "SIZE:PROBABILITY",
		"clients=0":                  "clients",
		"clients=zipf:theta=0.8":     "missing n=",
		"clients=pareto:n=3":         "unknown client distribution",
		"arrival=poisson:rate=0":     "rate",
		"arrival=poisson:rate=-1":    "rate",
		"arrival=fast":               "unknown arrival process \"fast\" (valid: closed, constant",
	} {
		_, err := ParseSpec(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseSpec(%q) = %v, want an error containing %q", in, err, want)
		}
	}
}

// The parser never panics, and whatever it accepts round-trips.
func FuzzParseSpec(f *testing.F) {
	for _, s := range roundTripSpecs {
		f.Add(s)
	}
	f.Add("keys=weighted:p=1 size=hist:1:1")
	f.Add("arrival=mmpp:rates=1|0|3,stay=1s|2s|3ms")
	f.Fuzz(func(t *testing.T, in string) {
		if strings.Contains(in, "trace:") {
			return // reads files
		}
		s, err := ParseSpec(in)
		if err != nil {
			return
		}
		again, err := ParseSpec(s.String())
		if err != nil {
			t.Fatalf("canonical %q of %q does not parse: %v", s, in, err)
		}
		if again.String() != s.String() {
			t.Fatalf("canonical form unstable: %q → %q", s, again)
		}
		g, err := s.Generator(1, Whole)
		if err != nil {
			t.Fatal(err)
		}
		var op Op
		var last time.Duration
		for i := 0; i < 20; i++ {
			g.Next(&op)
			if op.At < last || op.Key >= s.KeySpace()+20 && !strings.HasPrefix(s.KeyDist(), "weighted") {
				t.Fatalf("%s: op %d at %v after %v, key %d", s, i, op.At, last, op.Key)
			}
			last = op.At
		}
	})
}

func TestWithKeySpaceKeepsTheDistribution(t *testing.T) {
	for _, in := range []string{"ycsb-a", "ycsb-d", "ycsb-e keys=scrambled-zipf:theta=1.2,n=50", "keys=hotspot:hot=0.1,ops=0.9,n=7"} {
		s, err := ParseSpec(in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.WithKeySpace(1234)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if got.KeySpace() != 1234 {
			t.Errorf("%s: keyspace %d, want 1234", in, got.KeySpace())
		}
		before, after := s.KeyDist(), got.KeyDist()
		if strings.SplitN(before, ":", 2)[0] != strings.SplitN(after, ":", 2)[0] {
			t.Errorf("%s: distribution changed from %s to %s", in, before, after)
		}
		back, err := ParseSpec(got.String())
		if err != nil || !back.Equal(got) {
			t.Errorf("%s: canonical form does not round-trip: %v", in, err)
		}
	}
	w, _ := ParseSpec("keys=weighted:p=0.5|0.5")
	if _, err := w.WithKeySpace(10); err == nil {
		t.Error("weighted keys took a keyspace size")
	}
}

package workloads

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// Both formats read back exactly what was written, and ReadTrace tells them
// apart by themselves.
func TestTraceRoundTrip(t *testing.T) {
	ops := stream(t, busySpec, 8, Whole, 3000)
	ops = append(ops, Op{Seq: 1 << 63, At: ops[len(ops)-1].At, Kind: Route, Key: 1<<64 - 1, Client: 1<<32 - 1, Size: 1<<32 - 1})
	for name, write := range map[string]func(*bytes.Buffer) error{
		"csv": func(b *bytes.Buffer) error { return WriteTraceCSV(b, ops) },
		"bin": func(b *bytes.Buffer) error { return WriteTraceBinary(b, ops) },
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		got, err := ReadTrace(&b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, ops) {
			t.Errorf("%s: read back differs", name)
		}
	}
}

func TestTraceCSVHeaderAndRows(t *testing.T) {
	var b bytes.Buffer
	WriteTraceCSV(&b, []Op{{Seq: 0, At: 1500, Kind: Scan, Key: 7, Client: 2, Size: 10}})
	if want := TraceHeader + "\n0,1500,scan,7,2,10\n"; b.String() != want {
		t.Errorf("csv trace %q, want %q", b.String(), want)
	}
	var e bytes.Buffer
	for _, f := range TraceFormats {
		e.Reset()
		w, _ := NewTraceWriter(&e, f)
		w.Flush()
		if ops, err := ReadTrace(&e); err != nil || len(ops) != 0 {
			t.Errorf("empty %s trace: %v %v", f, ops, err)
		}
	}
	if _, err := NewTraceWriter(&e, "json"); err == nil || !strings.Contains(err.Error(), "valid: csv, bin") {
		t.Errorf("unknown format: %v", err)
	}
	// Headerless rows and numeric kinds are accepted.
	ops, err := ReadTrace(strings.NewReader("3,10,1,5,0,100\n"))
	if err != nil || len(ops) != 1 || ops[0].Kind != Update || ops[0].Seq != 3 {
		t.Errorf("headerless row: %v %v", ops, err)
	}
}

func TestTraceBadRows(t *testing.T) {
	for in, want := range map[string]string{
		TraceHeader + "\n0,0,read,1,0,1\n1,0,read,x,0,1\n": "line 3: key \"x\"",
		TraceHeader + "\n0,0,jump,1,0,1\n":                 "line 2: unknown op kind \"jump\"",
		TraceHeader + "\n0,0,read,1,0\n":                   "line 2:",
		TraceHeader + "\n0,-5,read,1,0,1\n":                "line 2: at_ns",
		TraceHeader + "\n0,0,read,1,99999999999,1\n":       "line 2: client",
		"seq,at,kind\n":                            "line 1: header",
		binaryMagicV1 + "\x02\x02":                 "record 1:",
		binaryMagicV1 + "\x00\x00\x63\x00\x00\x00": "record 1: kind 99",
		"DSBTRC9\n":                                "unknown version",
	} {
		_, err := ReadTrace(strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ReadTrace(%q) = %v, want an error containing %q", in, err, want)
		}
	}
}

// Part k of n replays the ops with Seq ≡ k (mod n), times kept, and ends.
func TestTraceSourceParts(t *testing.T) {
	ops := stream(t, "ycsb-a arrival=poisson:rate=100", 1, Whole, 10)
	src := NewTraceSource(ops, Part{1, 3})
	var got []Op
	var op Op
	for src.Next(&op) {
		got = append(got, op)
	}
	if want := []Op{ops[1], ops[4], ops[7]}; !reflect.DeepEqual(got, want) {
		t.Errorf("part 1/3 replays %v, want %v", got, want)
	}
}

// ReadTrace never panics, and what it accepts it writes back identically.
func FuzzReadTrace(f *testing.F) {
	f.Add([]byte(TraceHeader + "\n0,1500,scan,7,2,10\n1,2000,read,8,0,100\n"))
	var b bytes.Buffer
	WriteTraceBinary(&b, []Op{{Seq: 3, At: 9, Kind: Route, Key: 1 << 40, Client: 7, Size: 1}})
	f.Add(b.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		ops, err := ReadTrace(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, w := range []func(*bytes.Buffer) error{
			func(b *bytes.Buffer) error { return WriteTraceCSV(b, ops) },
			func(b *bytes.Buffer) error { return WriteTraceBinary(b, ops) },
		} {
			var out bytes.Buffer
			if err := w(&out); err != nil {
				t.Fatal(err)
			}
			again, err := ReadTrace(&out)
			if err != nil || len(again) != len(ops) || (len(ops) > 0 && !reflect.DeepEqual(again, ops)) {
				t.Fatalf("rewrite of %d ops: %v", len(ops), err)
			}
		}
	})
}

// Issue 16: intended times going backwards, and a CSV cut mid-row, are
// rejected with where; whole, ordered traces pass.
func TestTraceRejectsBackwardsAndCut(t *testing.T) {
	back := []Op{{Seq: 0, At: 500, Kind: Read}, {Seq: 1, At: 100, Kind: Read}}
	var c, b bytes.Buffer
	WriteTraceCSV(&c, back)
	WriteTraceBinary(&b, back)
	if _, err := ReadTrace(&c); err == nil || !strings.Contains(err.Error(), "line 3") || !strings.Contains(err.Error(), "must not decrease") {
		t.Errorf("csv going back: %v", err)
	}
	if _, err := ReadTrace(&b); err == nil || !strings.Contains(err.Error(), "record 2") {
		t.Errorf("binary going back: %v", err)
	}
	var whole bytes.Buffer
	WriteTraceCSV(&whole, []Op{{Seq: 0, At: 100, Kind: Read, Key: 12345}, {Seq: 1, At: 100, Kind: Read, Key: 67890}})
	cut := whole.Bytes()[:whole.Len()-4]
	if _, err := ReadTrace(bytes.NewReader(cut)); err == nil || !strings.Contains(err.Error(), "line 3") || !strings.Contains(err.Error(), "cut short") {
		t.Errorf("csv cut mid-row: %v", err)
	}
	if ops, err := ReadTrace(&whole); err != nil || len(ops) != 2 {
		t.Errorf("whole trace: %d ops, %v", len(ops), err)
	}
}

// The binary format (version 2) round-trips, and every single flipped bit
// after the magic, every cut and any data after the end is rejected with the
// offset of the block it hit (3 of 8 bit-flipped version-1 traces used to be
// replayed). An empty trace is the magic and the end marker.
func TestTraceBinaryChecksums(t *testing.T) {
	ops := stream(t, "ycsb-a arrival=poisson:rate=1000", 3, Whole, 10000) // 3 blocks
	var buf strings.Builder
	if err := WriteTraceBinary(&buf, ops); err != nil {
		t.Fatal(err)
	}
	data := buf.String()
	got, err := ReadTrace(strings.NewReader(data))
	if err != nil || len(got) != len(ops) {
		t.Fatalf("round trip: %d ops, %v", len(got), err)
	}
	for i := range ops {
		if got[i] != ops[i] {
			t.Fatalf("op %d: %+v, wrote %+v", i, got[i], ops[i])
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for k := 0; k < 2000; k++ {
		pos := len(binaryMagic) + r.IntN(len(data)-len(binaryMagic))
		b := []byte(data)
		b[pos] ^= 1 << r.IntN(8)
		if _, err := ReadTrace(strings.NewReader(string(b))); err == nil || !strings.Contains(err.Error(), "offset") {
			t.Fatalf("bit flipped at byte %d: %v", pos, err)
		}
	}
	for _, cut := range []int{len(data) - 1, len(data) - 5, len(data) / 2, len(binaryMagic) + 1} {
		if _, err := ReadTrace(strings.NewReader(data[:cut])); err == nil || !strings.Contains(err.Error(), "offset") {
			t.Errorf("cut at %d of %d: %v", cut, len(data), err)
		}
	}
	if _, err := ReadTrace(strings.NewReader(data + "x")); err == nil || !strings.Contains(err.Error(), "after the end") {
		t.Errorf("trailing data: %v", err)
	}
	var empty strings.Builder
	if err := WriteTraceBinary(&empty, nil); err != nil || empty.String() != binaryMagic+"\x00" {
		t.Fatalf("empty trace %q %v", empty.String(), err)
	}
	if got, err := ReadTrace(strings.NewReader(empty.String())); err != nil || len(got) != 0 {
		t.Errorf("empty trace: %v %v", got, err)
	}
}

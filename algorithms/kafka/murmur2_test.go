package kafka

import (
	"math"
	"testing"
)

// Kafka's own UtilsTest.testMurmur2 vectors.
func TestMurmur2KafkaVectors(t *testing.T) {
	cases := []struct {
		in   string
		want int32
	}{
		{"21", -973932308},
		{"foobar", -790332482},
		{"a-little-bit-long-string", -985981536},
		{"a-little-bit-longer-string", -1486304829},
		{"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
		{"abc", 479470107},
	}
	for _, c := range cases {
		if got := Murmur2([]byte(c.in)); got != c.want {
			t.Errorf("murmur2(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

// Partitions over 1000 partitions as Kafka's Java partitioner computes
// them (the vectors kafka-python checks its port against): every tail
// length 0…3 and a non-ASCII byte.
func TestPartitionJavaCompatibility(t *testing.T) {
	cases := []struct {
		in   string
		want int
	}{
		{"", 681}, {"a", 524}, {"ab", 434}, {"abc", 107}, {"123456789", 566}, {"\x00 ", 742},
	}
	for _, c := range cases {
		if got := PartitionForKey([]byte(c.in), 1000); got != c.want {
			t.Errorf("partition(%q, 1000) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestToPositiveAndKeyBytes(t *testing.T) {
	if ToPositive(math.MinInt32) != 0 || ToPositive(-1) != math.MaxInt32 || ToPositive(5) != 5 {
		t.Error("toPositive is not x & 0x7fffffff")
	}
	for _, c := range []struct {
		k    uint64
		want string
	}{{0, "0"}, {7, "7"}, {21, "21"}, {1000000, "1000000"}, {math.MaxUint64, "18446744073709551615"}} {
		if got := string(KeyBytes(nil, c.k)); got != c.want {
			t.Errorf("KeyBytes(%d) = %q", c.k, got)
		}
	}
	// Op key 21 hashes as the String "21" does in Kafka.
	if Murmur2(KeyBytes(nil, 21)) != -973932308 {
		t.Error("op key 21 is not hashed as the String key \"21\"")
	}
}

func TestPartitionerNullKeys(t *testing.T) {
	rr, _ := NewPartitioner(4, KeyNull, NullRoundRobin, 16384)
	for i := 0; i < 12; i++ {
		if p := rr.Partition(99, 100, nil); p != i%4 {
			t.Fatalf("round-robin record %d went to %d", i, p)
		}
	}
	st, _ := NewPartitioner(5, KeyNull, NullSticky, 1000)
	r := newRand(1)
	prev, run := st.Partition(0, 100, r), 1
	for i := 0; i < 200; i++ {
		p := st.Partition(0, 100, r)
		if p == prev {
			run++
			continue
		}
		// A batch of 1000 bytes holds exactly 10 records of 100 bytes.
		if run != 10 {
			t.Fatalf("sticky batch of %d records, want 10", run)
		}
		prev, run = p, 1
	}
	keyed, _ := NewPartitioner(1000, KeyDecimal, NullSticky, 16384)
	if keyed.Partition(21, 100, nil) != int(ToPositive(-973932308))%1000 {
		t.Error("keyed partition of 21")
	}
}

func TestBadPartitioner(t *testing.T) {
	for _, c := range []struct {
		n         int
		key, null string
	}{{0, KeyDecimal, NullSticky}, {4, "hash", NullSticky}, {4, KeyNull, "random"}} {
		if _, err := NewPartitioner(c.n, c.key, c.null, 16384); err == nil {
			t.Errorf("NewPartitioner(%d, %q, %q) accepted", c.n, c.key, c.null)
		}
	}
}

func BenchmarkPartitionKeyed(b *testing.B) {
	p, _ := NewPartitioner(64, KeyDecimal, NullSticky, 16384)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p.Partition(uint64(i)*7919, 200, nil)
	}
}

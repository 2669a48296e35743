package storage

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

func TestEncodeKeyPreservesOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var a, b [KeyLen]byte
	for i := 0; i < 10000; i++ {
		x, y := r.Uint64()>>r.IntN(64), r.Uint64()>>r.IntN(64)
		got := bytes.Compare(EncodeKey(a[:], x), EncodeKey(b[:], y))
		want := 0
		if x < y {
			want = -1
		} else if x > y {
			want = 1
		}
		if got != want {
			t.Fatalf("order of %d vs %d: bytes say %d", x, y, got)
		}
		if k, ok := DecodeKey(a[:]); !ok || k != x {
			t.Fatalf("DecodeKey(EncodeKey(%d)) = %d, %v", x, k, ok)
		}
	}
	if _, ok := DecodeKey([]byte("short")); ok {
		t.Fatal("DecodeKey accepted a foreign key")
	}
}

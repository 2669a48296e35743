package hashing

import (
	"encoding/binary"
	"hash/fnv"
	"testing"

	"github.com/cespare/xxhash/v2"
)

// Published MurmurHash3_x64_128 vectors (the reference's h1, h2; the same
// table ships with spaolacci/murmur3 and twmb/murmur3, and Guava's tests
// carry the "lazy dog" one).
func TestMurmur3ReferenceVectors(t *testing.T) {
	for _, v := range []struct {
		seed   uint32
		h1, h2 uint64
		s      string
	}{
		{0, 0x0000000000000000, 0x0000000000000000, ""},
		{0, 0xcbd8a7b341bd9b02, 0x5b1e906a48ae1d19, "hello"},
		{0, 0x342fac623a5ebc8e, 0x4cdcbc079642414d, "hello, world"},
		{0, 0xb89e5988b737affc, 0x664fc2950231b2cb, "19 Jan 2038 at 3:14:07 AM"},
		{0, 0xcd99481f9ee902c9, 0x695da1a38987b6e7, "The quick brown fox jumps over the lazy dog."},
		{0, 0xe34bbc7bbc071b6c, 0x7a433ca9c49a9347, "The quick brown fox jumps over the lazy dog"},
		{1, 0x4610abe56eff5cb5, 0x51622daa78f83583, ""},
		{1, 0xa78ddff5adae8d10, 0x128900ef20900135, "hello"},
	} {
		h1, h2 := Murmur3Sum128([]byte(v.s), v.seed)
		if h1 != v.h1 || h2 != v.h2 {
			t.Errorf("Murmur3Sum128(%q, %d) = %#x, %#x; want %#x, %#x", v.s, v.seed, h1, h2, v.h1, v.h2)
		}
	}
}

// The word-sized fast paths must equal the general functions on the same
// bytes: murmur3 against Murmur3Sum128, FNV-1a against hash/fnv, xxHash
// against github.com/cespare/xxhash/v2.
func TestHashWordsMatchBytes(t *testing.T) {
	xs := append([]uint64{0, 1, 42, 1 << 63, 0xdeadbeefcafebabe, ^uint64(0)}, SampleKeys(1000, 8)...)
	for _, x := range xs {
		y := x*0x9E3779B97F4A7C15 + 7
		var b8 [8]byte
		var b16 [16]byte
		binary.LittleEndian.PutUint64(b8[:], x)
		binary.LittleEndian.PutUint64(b16[:], x)
		binary.LittleEndian.PutUint64(b16[8:], y)

		if want, _ := Murmur3Sum128(b8[:], 0); Murmur3.Sum64(x) != want {
			t.Fatalf("murmur3 Sum64(%#x) = %#x, want %#x", x, Murmur3.Sum64(x), want)
		}
		if want, _ := Murmur3Sum128(b16[:], 0); Murmur3.Sum128(x, y) != want {
			t.Fatalf("murmur3 Sum128(%#x, %#x) = %#x, want %#x", x, y, Murmur3.Sum128(x, y), want)
		}
		f := fnv.New64a()
		f.Write(b8[:])
		if FNV1a.Sum64(x) != f.Sum64() {
			t.Fatalf("fnv Sum64(%#x) = %#x, want %#x", x, FNV1a.Sum64(x), f.Sum64())
		}
		f = fnv.New64a()
		f.Write(b16[:])
		if FNV1a.Sum128(x, y) != f.Sum64() {
			t.Fatalf("fnv Sum128(%#x) = %#x, want %#x", x, FNV1a.Sum128(x, y), f.Sum64())
		}
		if XXHash.Sum64(x) != xxhash.Sum64(b8[:]) || XXHash.Sum128(x, y) != xxhash.Sum64(b16[:]) {
			t.Fatalf("xxhash words differ from xxhash.Sum64 of the bytes for %#x", x)
		}
	}
}

// Every tail length 0…15 (and two blocks' worth) is exercised: prefixes of
// one input must all hash differently, which a tail byte read from the wrong
// position or dropped would break. The reference vectors above pin the values.
func TestMurmur3Lengths(t *testing.T) {
	data := []byte("The quick brown fox jumps over the lazy dog.")
	seen := map[uint64]int{}
	for n := 0; n <= 40; n++ {
		h1, _ := Murmur3Sum128(data[:n], 0)
		if m, dup := seen[h1]; dup {
			t.Fatalf("lengths %d and %d hash alike", m, n)
		}
		seen[h1] = n
	}
}

func TestParseHash(t *testing.T) {
	for i, n := range HashNames {
		h, err := ParseHash(n)
		if err != nil || h != Hash(i) || h.String() != n {
			t.Errorf("ParseHash(%q) = %v, %v", n, h, err)
		}
	}
	if _, err := ParseHash("md5"); err == nil {
		t.Error("ParseHash(md5) succeeded")
	}
}

func TestParseWeights(t *testing.T) {
	w, err := ParseWeights("1:1:2.5")
	if err != nil || len(w) != 3 || w[2] != 2.5 {
		t.Fatalf("ParseWeights = %v, %v", w, err)
	}
	if w, err := ParseWeights("equal"); err != nil || w != nil {
		t.Fatalf("ParseWeights(equal) = %v, %v", w, err)
	}
	for _, bad := range []string{"1:x", "1:-1", "1:NaN"} {
		if _, err := ParseWeights(bad); err == nil {
			t.Errorf("ParseWeights(%q) succeeded", bad)
		}
	}
	if _, err := Nodes(3, []float64{0, 0, 0}); err == nil {
		t.Error("all-zero weights accepted")
	}
	if _, err := Nodes(3, []float64{1, 1}); err == nil {
		t.Error("2 weights for 3 nodes accepted")
	}
}

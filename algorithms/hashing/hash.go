package hashing

import (
	"fmt"
	"strings"
)

// Hash names the 64-bit hash function an algorithm hashes keys and nodes
// with. It hashes fixed-width integers (little-endian bytes), so a lookup
// never allocates.
type Hash uint8

// The hash functions.
const (
	XXHash  Hash = iota // xxHash64, as github.com/cespare/xxhash/v2 computes it
	FNV1a               // FNV-1a 64: simple, but weak avalanche on short inputs
	Murmur3             // MurmurHash3 x64_128, first 64 bits (h1), seed 0
)

// HashNames lists the hash= choices, in Hash order.
var HashNames = []string{"xxhash", "fnv", "murmur3"}

// ParseHash maps a hash= value to its Hash.
func ParseHash(s string) (Hash, error) {
	for i, n := range HashNames {
		if n == s {
			return Hash(i), nil
		}
	}
	return 0, fmt.Errorf("hashing: unknown hash %q (valid: %s)", s, strings.Join(HashNames, "|"))
}

func (h Hash) String() string {
	if int(h) < len(HashNames) {
		return HashNames[h]
	}
	return fmt.Sprintf("hash(%d)", uint8(h))
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// Sum64 hashes the 8 little-endian bytes of x.
func (h Hash) Sum64(x uint64) uint64 {
	switch h {
	case FNV1a:
		return fnvWord(fnvOffset, x)
	case Murmur3:
		return murmur3Word(x)
	}
	return xxWord(x)
}

// Sum128 hashes the 16 little-endian bytes of x then y: a key with a node
// id (rendezvous), a node id with a replica number (ring points), a key with
// a probe number (multi-probe). The result is 64 bits.
func (h Hash) Sum128(x, y uint64) uint64 {
	switch h {
	case FNV1a:
		return fnvWord(fnvWord(fnvOffset, x), y)
	case Murmur3:
		return murmur3Words(x, y)
	}
	return xxWords(x, y)
}

// fnvWord continues FNV-1a over the 8 little-endian bytes of x.
func fnvWord(s, x uint64) uint64 {
	for i := 0; i < 8; i++ {
		s ^= x & 0xff
		s *= fnvPrime
		x >>= 8
	}
	return s
}

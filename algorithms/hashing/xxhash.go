package hashing

import "math/bits"

// xxHash64 (Yann Collet) specialised to one or two 64-bit words, seed 0:
// the short-input path of the reference, which is all an 8- or 16-byte input
// takes. Calling github.com/cespare/xxhash/v2 instead costs a non-inlinable
// call and a byte slice per hash; the tests check these functions against
// that package bit for bit.

const (
	xxP1 uint64 = 11400714785074694791
	xxP2 uint64 = 14029467366897019727
	xxP3 uint64 = 1609587929392839161
	xxP4 uint64 = 9650029242287828579
	xxP5 uint64 = 2870177450012600261
)

func xxLane(h, lane uint64) uint64 {
	k := bits.RotateLeft64(lane*xxP2, 31) * xxP1
	return bits.RotateLeft64(h^k, 27)*xxP1 + xxP4
}

func xxAvalanche(h uint64) uint64 {
	h ^= h >> 33
	h *= xxP2
	h ^= h >> 29
	h *= xxP3
	h ^= h >> 32
	return h
}

// xxWord is xxHash64 of the 8 little-endian bytes of x.
func xxWord(x uint64) uint64 { return xxAvalanche(xxLane(xxP5+8, x)) }

// xxWords is xxHash64 of the 16 little-endian bytes of x then y.
func xxWords(x, y uint64) uint64 { return xxAvalanche(xxLane(xxLane(xxP5+16, x), y)) }

package hashing

import (
	"encoding/binary"
	"math/bits"
)

// MurmurHash3 x64_128 (Austin Appleby, public domain reference
// MurmurHash3.cpp), written out here rather than imported: it is short, and
// the word-sized variants below let a lookup hash a key without a byte slice.

const (
	m3c1 = 0x87c37b91114253d5
	m3c2 = 0x4cf5ad432745937f
)

// Fmix64 is MurmurHash3's 64-bit finaliser: a bijection with full avalanche.
func Fmix64(k uint64) uint64 {
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	k *= 0xc4ceb9fe1a85ec53
	k ^= k >> 33
	return k
}

func m3k1(k uint64) uint64 { return bits.RotateLeft64(k*m3c1, 31) * m3c2 }
func m3k2(k uint64) uint64 { return bits.RotateLeft64(k*m3c2, 33) * m3c1 }

// Murmur3Sum128 is MurmurHash3_x64_128 of data with seed, returning (h1, h2)
// as the reference implementation writes them to its output (h1 first).
func Murmur3Sum128(data []byte, seed uint32) (h1, h2 uint64) {
	h1, h2 = uint64(seed), uint64(seed)
	n := len(data)
	for len(data) >= 16 {
		k1 := binary.LittleEndian.Uint64(data)
		k2 := binary.LittleEndian.Uint64(data[8:])
		h1 ^= m3k1(k1)
		h1 = bits.RotateLeft64(h1, 27) + h2
		h1 = h1*5 + 0x52dce729
		h2 ^= m3k2(k2)
		h2 = bits.RotateLeft64(h2, 31) + h1
		h2 = h2*5 + 0x38495ab5
		data = data[16:]
	}
	var k1, k2 uint64
	for i := len(data) - 1; i >= 8; i-- {
		k2 = k2<<8 | uint64(data[i])
	}
	if len(data) > 8 {
		h2 ^= m3k2(k2)
	}
	for i := min(len(data), 8) - 1; i >= 0; i-- {
		k1 = k1<<8 | uint64(data[i])
	}
	if len(data) > 0 {
		h1 ^= m3k1(k1)
	}
	return m3final(h1, h2, uint64(n))
}

func m3final(h1, h2, n uint64) (uint64, uint64) {
	h1 ^= n
	h2 ^= n
	h1 += h2
	h2 += h1
	h1 = Fmix64(h1)
	h2 = Fmix64(h2)
	h1 += h2
	h2 += h1
	return h1, h2
}

// murmur3Word is h1 of MurmurHash3_x64_128 over the 8 little-endian bytes
// of x, seed 0 (the 8-byte tail path of the reference).
func murmur3Word(x uint64) uint64 {
	h1, _ := m3final(m3k1(x), 0, 8)
	return h1
}

// murmur3Words is h1 of MurmurHash3_x64_128 over the 16 little-endian bytes
// of x then y, seed 0 (one body block, no tail).
func murmur3Words(x, y uint64) uint64 {
	h1 := m3k1(x)
	h1 = bits.RotateLeft64(h1, 27)
	h1 = h1*5 + 0x52dce729
	h2 := m3k2(y)
	h2 = bits.RotateLeft64(h2, 31) + h1
	h2 = h2*5 + 0x38495ab5
	h1, _ = m3final(h1, h2, 16)
	return h1
}

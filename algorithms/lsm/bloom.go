package lsm

import (
	"math"

	"github.com/cespare/xxhash/v2"
)

// A Bloom filter over a table's user keys, probed with double hashing
// (Kirsch & Mitzenmacher): probe i tests bit h1 + i·h2. With b bits per key
// and k = round(b·ln 2) probes the false-positive rate is about
// (1 − e^(−k/b))^k: 0.8% at b = 10. The last byte stores k.

// bloomHash is computed once per lookup and reused for every table.
func bloomHash(key []byte) uint64 { return xxhash.Sum64(key) }

func bloomProbes(bitsPerKey int) int {
	k := int(math.Round(float64(bitsPerKey) * math.Ln2))
	return min(max(k, 1), 30)
}

// appendBloom builds a filter for the given key hashes.
func appendBloom(dst []byte, hashes []uint64, bitsPerKey int) []byte {
	nbits := max(len(hashes)*bitsPerKey, 64)
	nbytes := (nbits + 7) / 8
	nbits = nbytes * 8
	k := bloomProbes(bitsPerKey)
	start := len(dst)
	dst = append(dst, make([]byte, nbytes+1)...)
	f := dst[start:]
	for _, h := range hashes {
		h1, h2 := uint32(h), uint32(h>>32)|1
		for i := 0; i < k; i++ {
			bit := h1 % uint32(nbits)
			f[bit/8] |= 1 << (bit % 8)
			h1 += h2
		}
	}
	f[nbytes] = byte(k)
	return dst
}

// bloomMayContain reports false only when the key is certainly absent.
func bloomMayContain(f []byte, h uint64) bool {
	if len(f) < 2 {
		return true
	}
	nbits := uint32(len(f)-1) * 8
	k := int(f[len(f)-1])
	h1, h2 := uint32(h), uint32(h>>32)|1
	for i := 0; i < k; i++ {
		bit := h1 % nbits
		if f[bit/8]&(1<<(bit%8)) == 0 {
			return false
		}
		h1 += h2
	}
	return true
}

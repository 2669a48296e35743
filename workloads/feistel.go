package workloads

import "math/bits"

// feistel is a keyed bijection on [0, n): a four-round unbalanced Feistel
// network on the smallest bit width that holds n, with cycle walking
// (Black and Rogaway, "Ciphers with arbitrary finite domains", CT-RSA 2002):
// values that land outside [0, n) are permuted again until they land inside.
// The width is below 2n, so a walk takes under two rounds on average.
//
// A bijection keeps every rank's frequency; YCSB's fnv64(v) % n fold merges
// ranks and flattens the skew (its hottest key gets 3.8% where Zipf(0.99,
// 1e6) gives 6.5%).
type feistel struct {
	n         uint64
	lbits     uint // bits of the left half; the right half has rbits
	rbits     uint
	roundKeys [4]uint64
	rmk       uint64
}

func newFeistel(n, key uint64) feistel {
	w := uint(bits.Len64(n - 1))
	if w < 2 {
		w = 2
	}
	f := feistel{n: n, lbits: w / 2, rbits: w - w/2}
	for i := range f.roundKeys {
		key = SplitMix64(key)
		f.roundKeys[i] = key
	}
	f.rmk = 1<<f.rbits - 1
	return f
}

// permute maps x in [0, n) to its image in [0, n).
func (f *feistel) permute(x uint64) uint64 {
	for {
		x = f.encrypt(x)
		if x < f.n {
			return x
		}
	}
}

// encrypt is one pass of the network over [0, 2^(lbits+rbits)). Each round
// sends (L, R) to (R, L ⊕ F(R)), so the halves swap widths every round and
// are back in place after four (unrolled: this is the hot path). The round
// function is one multiply by an odd constant, keeping the top bits — those
// depend on every input bit — as many as the half it is XORed into. It
// scatters neighbouring ranks; it is not meant to be a cipher.
func (f *feistel) encrypt(x uint64) uint64 {
	const c = 0x9e3779b97f4a7c15
	k := &f.roundKeys
	sl, sr := 64-f.lbits, 64-f.rbits
	l, r := x>>f.rbits, x&f.rmk
	l, r = r, l^((r^k[0])*c)>>sl // L: rbits, R: lbits
	l, r = r, l^((r^k[1])*c)>>sr // L: lbits, R: rbits
	l, r = r, l^((r^k[2])*c)>>sl
	l, r = r, l^((r^k[3])*c)>>sr
	return l<<f.rbits | r
}

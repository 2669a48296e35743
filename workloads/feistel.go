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
	n          uint64
	lbits      uint // bits of the left half; the right half has rbits
	rbits      uint
	roundKeys  [4]uint64
	lmask, rmk uint64
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
	f.lmask = 1<<f.lbits - 1
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
// are back in place after four.
func (f *feistel) encrypt(x uint64) uint64 {
	lb, rb := f.lbits, f.rbits
	lm, rm := f.lmask, f.rmk
	l, r := x>>rb, x&rm
	for _, k := range f.roundKeys {
		l, r = r, (l^mix64(r^k))&lm
		lb, rb = rb, lb
		lm, rm = rm, lm
	}
	return l<<rb | r
}

// mix64 is the round function: a fast avalanche (the SplitMix64 finaliser).
func mix64(x uint64) uint64 {
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

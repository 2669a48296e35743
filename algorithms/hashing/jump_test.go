package hashing

import "testing"

// Reference values of the paper's algorithm as published with Guava's
// Hashing.consistentHash (testConsistentHash_linearCongruentialGeneratorCompatibility),
// which implements the same linear congruential generator.
func TestJumpHashReferenceValues(t *testing.T) {
	golden100 := []int{0, 55, 62, 8, 45, 59, 86, 97, 82, 59, 73, 37, 17, 56, 86, 21, 90, 37, 38, 83}
	for k, want := range golden100 {
		if got := JumpHash(uint64(k), 100); got != want {
			t.Errorf("JumpHash(%d, 100) = %d, want %d", k, got, want)
		}
	}
	for _, v := range []struct {
		key  uint64
		n    int
		want int
	}{
		{10863919174838991, 11, 6},
		{2016238256797177309, 11, 3},
		{1673758223894951030, 11, 5},
		{2, 100001, 80343},
		{2201, 100001, 22152},
		{2202, 100001, 15018},
		{1, 1, 0},
		{1, 10, 6},
	} {
		if got := JumpHash(v.key, v.n); got != v.want {
			t.Errorf("JumpHash(%d, %d) = %d, want %d", v.key, v.n, got, v.want)
		}
	}
}

// Growing from n to n+1 buckets moves a key only into the new bucket.
func TestJumpHashMonotone(t *testing.T) {
	for _, k := range SampleKeys(2000, 1) {
		prev := JumpHash(k, 1)
		for n := 2; n <= 300; n++ {
			b := JumpHash(k, n)
			if b != prev && b != n-1 {
				t.Fatalf("key %d moved from %d to %d going to %d buckets", k, prev, b, n)
			}
			prev = b
		}
	}
}

package driver

import (
	"math/rand/v2"
	"strconv"
	"sync"
)

// KeyDigits is the width keys are written in: zero-padded, so the servers'
// byte order is the keys' numeric order and a scan from key k reads the
// keys after k, as YCSB's ordered scans do.
const KeyDigits = 20

// AppendKey appends k as KeyDigits decimal digits.
func AppendKey(b []byte, k uint64) []byte {
	var d [KeyDigits]byte
	s := strconv.AppendUint(d[:0], k, 10)
	for range KeyDigits - len(s) {
		b = append(b, '0')
	}
	return append(b, s...)
}

// Key is prefix + k in KeyDigits digits.
func Key(prefix string, k uint64) string {
	b := make([]byte, 0, len(prefix)+KeyDigits)
	return string(AppendKey(append(b, prefix...), k))
}

// maxValue bounds a value's size; bigger ones are cut to it.
const maxValue = 1 << 20

var (
	valueOnce sync.Once
	valueBuf  []byte
)

// Value returns size bytes of fixed pseudo-random printable data (shared,
// never written: the servers get copies). Printable, so text columns and
// HTTP bodies take it as is.
func Value(size int) []byte {
	valueOnce.Do(func() {
		r := rand.New(rand.NewPCG(1, 2))
		valueBuf = make([]byte, maxValue)
		for i := range valueBuf {
			valueBuf[i] = 'a' + byte(r.IntN(26))
		}
	})
	return valueBuf[:min(max(size, 0), maxValue)]
}

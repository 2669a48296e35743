package lsm

import "bytes"

// kind tags an entry as a value or a tombstone. It is the low byte of the
// trailer, seq<<8 | kind, as in LevelDB's internal keys.
type kind uint8

const (
	kindDelete kind = 0
	kindValue  kind = 1
)

const maxSeq = 1<<56 - 1

func makeTrailer(seq uint64, k kind) uint64 { return seq<<8 | uint64(k) }

func trailerKind(t uint64) kind { return kind(t & 0xff) }

// compareInternal orders entries by user key ascending, then trailer
// descending, so that the newest version of a key comes first.
func compareInternal(ak []byte, at uint64, bk []byte, bt uint64) int {
	if c := bytes.Compare(ak, bk); c != 0 {
		return c
	}
	switch {
	case at > bt:
		return -1
	case at < bt:
		return 1
	}
	return 0
}

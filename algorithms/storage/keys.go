package storage

import "encoding/binary"

// KeyLen is the length of an encoded YCSB key.
const KeyLen = 16

// keySuffix pads keys to YCSB's usual length without breaking numeric order.
const keySuffix = "ycsbrow\x00"

// EncodeKey writes key id k into dst[:KeyLen] and returns that slice. Byte
// order of encoded keys is numeric order of ids.
func EncodeKey(dst []byte, k uint64) []byte {
	dst = dst[:KeyLen]
	binary.BigEndian.PutUint64(dst, k)
	copy(dst[8:], keySuffix)
	return dst
}

// DecodeKey returns the id of an encoded key; ok is false for a key that
// EncodeKey did not produce.
func DecodeKey(key []byte) (k uint64, ok bool) {
	if len(key) != KeyLen || string(key[8:]) != keySuffix {
		return 0, false
	}
	return binary.BigEndian.Uint64(key), true
}

package kafka

// Murmur2 is Kafka's murmur2 hash (Utils.murmur2): MurmurHash2 with seed
// 0x9747b28c, four bytes at a time little-endian, the tail mixed as in the
// Java switch. It returns the Java int (signed).
func Murmur2(data []byte) int32 {
	const (
		seed = 0x9747b28c
		m    = 0x5bd1e995
		r    = 24
	)
	n := len(data)
	h := uint32(seed) ^ uint32(n)
	n4 := n / 4
	for i := 0; i < n4; i++ {
		j := i * 4
		k := uint32(data[j]) | uint32(data[j+1])<<8 | uint32(data[j+2])<<16 | uint32(data[j+3])<<24
		k *= m
		k ^= k >> r
		k *= m
		h *= m
		h ^= k
	}
	t := n &^ 3
	switch n % 4 {
	case 3:
		h ^= uint32(data[t+2]) << 16
		fallthrough
	case 2:
		h ^= uint32(data[t+1]) << 8
		fallthrough
	case 1:
		h ^= uint32(data[t])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return int32(h)
}

// ToPositive is Kafka's Utils.toPositive: the sign bit cleared (not the
// absolute value, so math.MinInt32 maps to 0).
func ToPositive(x int32) int32 { return x & 0x7fffffff }

// KeyBytes appends the bytes Kafka's StringSerializer gives the decimal
// text of key (UTF-8 of ASCII digits) to dst.
func KeyBytes(dst []byte, key uint64) []byte {
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + key%10)
		key /= 10
		if key == 0 {
			break
		}
	}
	return append(dst, tmp[i:]...)
}

// PartitionForKey is the default partitioner's choice for a keyed record:
// toPositive(murmur2(keyBytes)) % numPartitions.
func PartitionForKey(keyBytes []byte, numPartitions int) int {
	return int(ToPositive(Murmur2(keyBytes))) % numPartitions
}

package lsm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
)

// The MANIFEST names the live files. It is small (one line of metadata per
// table), so each change rewrites it whole: written to MANIFEST.tmp, fsynced,
// renamed over MANIFEST and the directory fsynced — atomic on POSIX file
// systems, so a reopen sees either the old set of files or the new one.
//
//	magic u64 | nextFile u64 | lastSeq u64 | logNum u64 | style u8 |
//	run count uvarint, then per run: file count uvarint, then per file:
//	num, size, len(smallest), smallest, len(largest), largest (uvarints + bytes)
//	| masked CRC32C of everything before (u32)
//
// Run 0 is L0 (each file its own run); runs 1… are levels (leveled) or the
// sorted runs, newest first (tiered).
const manifestMagic = 0x4c534d6d616e6931 // "LSMmani1"

type manifest struct {
	nextFile uint64
	lastSeq  uint64
	logNum   uint64 // WAL files numbered below this are already in tables
	tiered   bool
	runs     [][]*fileMeta
}

func writeManifest(dir string, m *manifest) error {
	b := binary.LittleEndian.AppendUint64(nil, manifestMagic)
	b = binary.LittleEndian.AppendUint64(b, m.nextFile)
	b = binary.LittleEndian.AppendUint64(b, m.lastSeq)
	b = binary.LittleEndian.AppendUint64(b, m.logNum)
	if m.tiered {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(m.runs)))
	for _, run := range m.runs {
		b = binary.AppendUvarint(b, uint64(len(run)))
		for _, f := range run {
			b = binary.AppendUvarint(b, f.num)
			b = binary.AppendUvarint(b, uint64(f.size))
			b = binary.AppendUvarint(b, uint64(len(f.smallest)))
			b = append(b, f.smallest...)
			b = binary.AppendUvarint(b, uint64(len(f.largest)))
			b = append(b, f.largest...)
		}
	}
	b = binary.LittleEndian.AppendUint32(b, maskCRC(crc32.Checksum(b, castagnoli)))
	tmp := filepath.Join(dir, "MANIFEST.tmp")
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, "MANIFEST")); err != nil {
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// readManifest returns nil, nil when the directory has no MANIFEST yet.
func readManifest(dir string) (*manifest, error) {
	path := filepath.Join(dir, "MANIFEST")
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	bad := func(why string) error { return fmt.Errorf("%w: %s: %s", ErrCorrupt, path, why) }
	if len(b) < 37 || binary.LittleEndian.Uint64(b) != manifestMagic {
		return nil, bad("bad magic number")
	}
	body := b[:len(b)-4]
	if maskCRC(crc32.Checksum(body, castagnoli)) != binary.LittleEndian.Uint32(b[len(body):]) {
		return nil, bad("checksum mismatch")
	}
	m := &manifest{
		nextFile: binary.LittleEndian.Uint64(body[8:]),
		lastSeq:  binary.LittleEndian.Uint64(body[16:]),
		logNum:   binary.LittleEndian.Uint64(body[24:]),
		tiered:   body[32] == 1,
	}
	p := body[33:]
	uv := func() uint64 {
		v, n := binary.Uvarint(p)
		if n <= 0 {
			p = nil
			return 0
		}
		p = p[n:]
		return v
	}
	bytesOf := func() []byte {
		n := uv()
		if uint64(len(p)) < n {
			p = nil
			return nil
		}
		out := append([]byte(nil), p[:n]...)
		p = p[n:]
		return out
	}
	nruns := uv()
	for r := uint64(0); r < nruns && p != nil; r++ {
		nf := uv()
		var run []*fileMeta
		for i := uint64(0); i < nf && p != nil; i++ {
			f := &fileMeta{num: uv(), size: int64(uv())}
			f.smallest, f.largest = bytesOf(), bytesOf()
			run = append(run, f)
		}
		m.runs = append(m.runs, run)
	}
	if p == nil || len(p) != 0 {
		return nil, bad("truncated or trailing bytes")
	}
	return m, nil
}

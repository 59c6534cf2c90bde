package backup

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
)

// checkPages walks every page of every bucket tree of the database at path,
// as bbolt does when it opens a database whose free list is not stored
// (every etcd snapshot). bbolt does that walk in a goroutine of its own and
// crashes the process on a page that does not identify itself or points
// outside the file: a damaged database must be refused here, with an error,
// before etcd's code opens it.
//
// It checks what that walk relies on: each page's id and type, that it lies
// within the file, that its elements, keys and values lie within it, that
// no page is reached twice, and the same for the buckets inside buckets
// (inline ones too). It reads the file through a read-only memory map and
// changes nothing.
func checkPages(path string) (err error) {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	data, unmap, err := mapFile(f, fi.Size())
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrCorrupt, path, err)
	}
	defer unmap()
	if err := protect(path, func() error { return (&pageWalk{data: data}).run() }); err != nil {
		if errors.Is(err, ErrCorrupt) {
			return err
		}
		return fmt.Errorf("%w: %s: %v", ErrCorrupt, path, err)
	}
	return nil
}

// bbolt's on-disk format (version 2), little-endian.
const (
	pageHeaderSize  = 16 // id u64, flags u16, count u16, overflow u32
	elementSize     = 16 // branch: pos u32, ksize u32, pgid u64; leaf: flags u32, pos u32, ksize u32, vsize u32
	bucketHeaderLen = 16 // root pgid u64, sequence u64
	branchPageFlag  = 0x01
	leafPageFlag    = 0x02
	bucketLeafFlag  = 0x01
	metaSize        = 64 // magic, version, page size, flags, root bucket (16), freelist, pgid, txid, checksum
)

type pageWalk struct {
	data     []byte
	pageSize int
	hwm      uint64 // pages in use: ids below this
	seen     pageSet
}

// pageSet is a set of page ids below the high-water mark.
type pageSet []uint64

func (s pageSet) has(id uint64) bool { return s[id/64]&(1<<(id%64)) != 0 }
func (s pageSet) add(id uint64)      { s[id/64] |= 1 << (id % 64) }

func (w *pageWalk) run() error {
	root, err := w.meta()
	if err != nil {
		return err
	}
	w.seen = make(pageSet, w.hwm/64+1)
	return w.bucket(root, 0)
}

// meta reads the newer valid meta page and returns the root bucket's page.
func (w *pageWalk) meta() (uint64, error) {
	bm, err := readBoltMeta(w.data)
	if err != nil {
		return 0, err
	}
	w.pageSize, w.hwm = bm.pageSize, bm.hwm
	if bm.dbSize() > uint64(len(w.data)) {
		return 0, fmt.Errorf("the database claims %d pages of %d bytes, the file has %d bytes: the file was cut short", w.hwm, w.pageSize, len(w.data))
	}
	return bm.root, nil
}

// boltMeta is what a bbolt meta page says about the database.
type boltMeta struct {
	pageSize int
	hwm      uint64 // pages in use
	root     uint64 // root bucket's page
	txid     uint64
}

// dbSize is the database's length: its pages in use, as etcd's snapshot
// stream writes them.
func (m boltMeta) dbSize() uint64 { return m.hwm * uint64(m.pageSize) }

// readBoltMeta returns the newer of the two meta pages whose checksum holds,
// from the start of a database (data needs to reach only the meta pages).
// The second meta page sits one page in, so when the first is damaged its
// page size is unknown: every size bbolt can use is tried.
func readBoltMeta(data []byte) (boltMeta, error) {
	var best boltMeta
	found := false
	try := func(off, pageSize int) {
		if off+pageHeaderSize+metaSize > len(data) {
			return
		}
		m := data[off+pageHeaderSize:][:metaSize]
		h := fnv.New64a()
		h.Write(m[:56])
		if binary.LittleEndian.Uint32(m) != boltMagic || h.Sum64() != binary.LittleEndian.Uint64(m[56:]) {
			return
		}
		ps := int(binary.LittleEndian.Uint32(m[8:]))
		if ps < 512 || ps&(ps-1) != 0 || pageSize != 0 && ps != pageSize {
			return
		}
		bm := boltMeta{pageSize: ps, hwm: binary.LittleEndian.Uint64(m[40:]), root: binary.LittleEndian.Uint64(m[16:]), txid: binary.LittleEndian.Uint64(m[48:])}
		if !found || bm.txid > best.txid {
			best, found = bm, true
		}
	}
	if len(data) < pageHeaderSize+metaSize {
		return best, errors.New("too short for a meta page")
	}
	try(0, 0)
	for ps := 512; ps <= 1<<16; ps *= 2 {
		try(ps, ps)
	}
	if !found {
		return best, errors.New("no valid meta page")
	}
	return best, nil
}

// bucket walks the tree of the bucket whose root page is id; 0 means an
// inline bucket, whose page is the value itself.
func (w *pageWalk) bucket(id uint64, depth int) error {
	if depth > 64 {
		return errors.New("buckets nested too deep")
	}
	stack := []uint64{id}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		p, err := w.page(id)
		if err != nil {
			return err
		}
		children, buckets, err := elements(p, id)
		if err != nil {
			return err
		}
		stack = append(stack, children...)
		for _, v := range buckets {
			if err := w.bucketValue(v, depth+1); err != nil {
				return fmt.Errorf("a bucket in page %d: %w", id, err)
			}
		}
	}
	return nil
}

func (w *pageWalk) bucketValue(v []byte, depth int) error {
	if len(v) < bucketHeaderLen {
		return fmt.Errorf("bucket header of %d bytes", len(v))
	}
	if root := binary.LittleEndian.Uint64(v); root != 0 {
		return w.bucket(root, depth)
	}
	inline := v[bucketHeaderLen:]
	if len(inline) < pageHeaderSize {
		return errors.New("inline bucket without a page")
	}
	children, buckets, err := elements(inline, 0)
	if err != nil {
		return fmt.Errorf("inline bucket: %w", err)
	}
	if len(children) > 0 {
		return errors.New("inline bucket with a branch page")
	}
	for _, b := range buckets {
		if err := w.bucketValue(b, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// page returns page id and its overflow pages, checking that they are in
// use, not reached before, and that the page says it is page id.
func (w *pageWalk) page(id uint64) ([]byte, error) {
	if id < 2 || id >= w.hwm {
		return nil, fmt.Errorf("page %d is outside the database's %d pages", id, w.hwm)
	}
	off := id * uint64(w.pageSize)
	hdr := w.data[off : off+pageHeaderSize]
	if got := binary.LittleEndian.Uint64(hdr); got != id {
		return nil, fmt.Errorf("page %d identifies itself as page %d", id, got)
	}
	overflow := uint64(binary.LittleEndian.Uint32(hdr[12:]))
	if id+overflow >= w.hwm {
		return nil, fmt.Errorf("page %d with %d overflow pages runs past the database's %d pages", id, overflow, w.hwm)
	}
	for i := id; i <= id+overflow; i++ {
		if w.seen.has(i) {
			return nil, fmt.Errorf("page %d is reached twice", i)
		}
		w.seen.add(i)
	}
	return w.data[off : off+(overflow+1)*uint64(w.pageSize)], nil
}

// elements checks a branch or leaf page's elements, keys and values lie
// within p, and returns the child pages of a branch page and the values of
// a leaf page's bucket entries. id names the page in errors (0: inline).
func elements(p []byte, id uint64) (children []uint64, buckets [][]byte, err error) {
	flags := binary.LittleEndian.Uint16(p[8:])
	count := int(binary.LittleEndian.Uint16(p[10:]))
	if flags != branchPageFlag && flags != leafPageFlag {
		return nil, nil, fmt.Errorf("page %d has type flags %#x, not a branch or leaf page", id, flags)
	}
	if pageHeaderSize+count*elementSize > len(p) {
		return nil, nil, fmt.Errorf("page %d claims %d elements, more than fit in it", id, count)
	}
	for i := range count {
		at := pageHeaderSize + i*elementSize
		e := p[at : at+elementSize]
		var pos, ksize, vsize uint64
		if flags == branchPageFlag {
			pos, ksize = uint64(binary.LittleEndian.Uint32(e)), uint64(binary.LittleEndian.Uint32(e[4:]))
			children = append(children, binary.LittleEndian.Uint64(e[8:]))
		} else {
			pos, ksize, vsize = uint64(binary.LittleEndian.Uint32(e[4:])), uint64(binary.LittleEndian.Uint32(e[8:])), uint64(binary.LittleEndian.Uint32(e[12:]))
		}
		// Positions count from the element itself.
		end := uint64(at) + pos + ksize + vsize
		if end > uint64(len(p)) {
			return nil, nil, fmt.Errorf("page %d: element %d lies outside the page", id, i)
		}
		if flags == leafPageFlag && binary.LittleEndian.Uint32(e)&bucketLeafFlag != 0 {
			start := uint64(at) + pos + ksize
			buckets = append(buckets, p[start:start+vsize])
		}
	}
	return children, buckets, nil
}

//go:build !unix

package backup

import (
	"io"
	"os"
)

// mapFile reads f whole where there is no mmap here.
func mapFile(f *os.File, size int64) ([]byte, func(), error) {
	data := make([]byte, size)
	_, err := io.ReadFull(f, data)
	return data, func() {}, err
}

package sensuctl

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sensu-etcd/sensu/internal/migrate"
)

// Parts are written at most n at a time; a failed part stops the next
// writes, and wait returns its error once the others have finished.
func TestPartWriter(t *testing.T) {
	var running, most, calls atomic.Int32
	failAt := int32(4)
	boom := errors.New("part 4 failed")
	w := newPartWriter(func([]migrate.Resource) error {
		n := calls.Add(1)
		r := running.Add(1)
		defer running.Add(-1)
		for m := most.Load(); r > m && !most.CompareAndSwap(m, r); m = most.Load() {
		}
		time.Sleep(20 * time.Millisecond)
		if n == failAt {
			return boom
		}
		return nil
	}, 2)
	var err error
	parts := 0
	for ; parts < 20 && err == nil; parts++ {
		err = w.write(nil)
	}
	if werr := w.wait(); !errors.Is(werr, boom) {
		t.Fatalf("wait: %v, want %v", werr, boom)
	}
	if !errors.Is(err, boom) {
		t.Errorf("write kept accepting parts after part 4 failed (last error %v)", err)
	}
	if m := most.Load(); m != 2 {
		t.Errorf("%d parts were written at once, want 2", m)
	}
	if c := calls.Load(); c > failAt+2 {
		t.Errorf("%d parts were written; at most the failed one and the 2 in flight after it should have started", c)
	}
	if running.Load() != 0 {
		t.Errorf("wait returned with parts still being written")
	}
}

package sensu1redis_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sensu-etcd/sensu/internal/migrate/sensu1redis"
	"github.com/sensu-etcd/sensu/internal/testutil"
)

// TestStreamEqualsRead: the parts and the final snapshot of Stream hold
// exactly what Read returns at once, whatever the part size.
func TestStreamEqualsRead(t *testing.T) {
	r := populated(t)
	opts := sensu1redis.Options{URL: r.URL()}
	whole := read(t, opts)
	for _, size := range []int{1, 2, 1000} {
		merged := &sensu1redis.Snapshot{}
		parts := 0
		global, err := sensu1redis.Stream(testutil.Ctx(t, time.Minute), opts, size, func(p *sensu1redis.Snapshot) error {
			parts++
			if len(p.Clients) > size {
				t.Errorf("part of %d clients with size %d", len(p.Clients), size)
			}
			merged.Clients = append(merged.Clients, p.Clients...)
			merged.Results = append(merged.Results, p.Results...)
			merged.Events = append(merged.Events, p.Events...)
			merged.Keys = append(merged.Keys, p.Keys...)
			merged.Dangling = append(merged.Dangling, p.Dangling...)
			merged.Invalid = append(merged.Invalid, p.Invalid...)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		merged.Keys = append(merged.Keys, global.Keys...)
		merged.Dangling = append(merged.Dangling, global.Dangling...)
		merged.Invalid = append(merged.Invalid, global.Invalid...)
		slices.SortFunc(merged.Keys, func(a, b sensu1redis.Key) int { return strings.Compare(a.Key, b.Key) })
		slices.SortFunc(merged.Dangling, func(a, b sensu1redis.Dangling) int {
			return strings.Compare(a.Set+" "+a.Member, b.Set+" "+b.Member)
		})
		check := func(what string, got, want any) {
			if !reflect.DeepEqual(got, want) {
				t.Errorf("size %d: %s differ:\n got  %v\n want %v", size, what, got, want)
			}
		}
		check("clients", merged.Clients, whole.Clients)
		check("results", merged.Results, whole.Results)
		check("events", merged.Events, whole.Events)
		check("silences", len(global.Silences), len(whole.Silences))
		stashPaths := func(ss []sensu1redis.Stash) (out []string) {
			for _, st := range ss {
				out = append(out, st.Path) // TTLs differ by the time between reads
			}
			return out
		}
		check("stashes", stashPaths(global.Stashes), stashPaths(whole.Stashes))
		check("aggregates", global.Aggregates, whole.Aggregates)
		check("dangling", merged.Dangling, whole.Dangling)
		check("invalid", len(merged.Invalid), len(whole.Invalid))
		keyNames := func(ks []sensu1redis.Key) []string {
			var out []string
			for _, k := range ks {
				out = append(out, k.Key+" "+k.Category+" "+k.Type)
			}
			return out
		}
		check("keys", keyNames(merged.Keys), keyNames(whole.Keys))
		if want := (len(whole.Clients) + size - 1) / size; parts != want {
			t.Errorf("size %d: %d parts, want %d", size, parts, want)
		}
	}
	stop := errors.New("stop")
	if _, err := sensu1redis.Stream(testutil.Ctx(t, time.Minute), opts, 1, func(*sensu1redis.Snapshot) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("the handler's error was not returned: %v", err)
	}
}

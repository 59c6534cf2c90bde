package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/sensu-etcd/sensu/internal/resource"
	"github.com/sensu-etcd/sensu/internal/testutil"
)

var dumpRevisionRE = regexp.MustCompile(`at revision (\d+)`)

// TestDumpUnderWritesIsPointInTime: `sensuctl dump all` run while writers
// change the store (checks created by `sensuctl create` and put straight
// into etcd, the tessen singleton flipped) holds exactly the store at the
// revision its summary names, 10 dumps out of 10.
func TestDumpUnderWritesIsPointInTime(t *testing.T) {
	bins := testutil.BuildBinaries(t)
	b := startResourceBackends(t, bins, "dump-consistency")[0]
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var writeErr error
	var mu sync.Mutex
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if writeErr == nil {
			writeErr = err
		}
	}
	wg.Add(2)
	go func() { // straight into etcd, in the key layout create uses
		defer wg.Done()
		tessen, err := resource.Lookup("tessen")
		if err != nil {
			fail(err)
			return
		}
		for i := 0; ctx.Err() == nil; i++ {
			value := fmt.Sprintf(`{"command":"true","interval":60,"metadata":{"name":"raw-%d","namespace":"default"}}`, i)
			if _, err := b.cli.Put(ctx, fmt.Sprintf("/sensu.io/checks/default/raw-%d", i), value); err != nil && ctx.Err() == nil {
				fail(err)
				return
			}
			if _, err := b.cli.Put(ctx, tessen.Key("", ""), fmt.Sprintf(`{"opt_out":%v}`, i%2 == 0)); err != nil && ctx.Err() == nil {
				fail(err)
				return
			}
		}
	}()
	go func() { // through sensuctl create
		defer wg.Done()
		for i := 0; ctx.Err() == nil; i++ {
			var doc strings.Builder
			for j := 0; j < 50; j++ {
				fmt.Fprintf(&doc, "---\ntype: CheckConfig\nmetadata:\n  name: created-%d-%d\nspec:\n  command: \"true\"\n  interval: 60\n", i, j)
			}
			if code, _, stderr := b.ctlIn(t, doc.String(), "create"); code != 0 && ctx.Err() == nil {
				fail(fmt.Errorf("create: exit %d: %s", code, stderr))
				return
			}
		}
	}()
	defer func() { cancel(); wg.Wait() }()

	for run := 1; run <= 10; run++ {
		time.Sleep(50 * time.Millisecond)
		code, out, stderr := b.ctl(t, "dump", "all", "--all-namespaces", "-o", "json")
		if code != 0 {
			t.Fatalf("dump %d: exit %d\n%s", run, code, stderr)
		}
		m := dumpRevisionRE.FindStringSubmatch(stderr)
		if m == nil {
			t.Fatalf("dump %d names no revision: %s", run, stderr)
		}
		rev, _ := strconv.ParseInt(m[1], 10, 64)
		var docs []resource.Wrapped
		if err := json.Unmarshal([]byte(out), &docs); err != nil {
			t.Fatalf("dump %d: %v", run, err)
		}
		dumped := map[string]bool{}
		for _, d := range docs {
			dumped[d.Type+" "+d.Metadata.Namespace+"/"+d.Metadata.Name] = true
		}
		want := map[string]bool{}
		for _, typ := range resource.All {
			if typ.Secret {
				continue // dump all leaves API keys out without --include-secrets
			}
			opts := []clientv3.OpOption{clientv3.WithRev(rev)}
			if !typ.Singleton {
				opts = append(opts, clientv3.WithPrefix())
			}
			resp, err := b.cli.Get(context.Background(), typ.ListPrefix(""), opts...)
			if err != nil {
				t.Fatal(err)
			}
			for _, kv := range resp.Kvs {
				o, err := resource.DecodeStored(typ, kv.Value)
				if err != nil {
					t.Fatal(err)
				}
				if typ.Kind == "TessenConfig" {
					// The wrapped form of the singleton is the value at rev.
					want[typ.Kind+" /"] = true
					continue
				}
				want[typ.Kind+" "+o.Meta().Namespace+"/"+o.Meta().Name] = true
			}
		}
		var missing, extra []string
		for k := range want {
			if !dumped[k] {
				missing = append(missing, k)
			}
		}
		for k := range dumped {
			if !want[k] {
				extra = append(extra, k)
			}
		}
		if len(missing)+len(extra) > 0 {
			t.Errorf("dump %d at revision %d: %d resources, the store held %d then; %d missing (e.g. %.3v), %d not yet written then (e.g. %.3v)",
				run, rev, len(dumped), len(want), len(missing), missing, len(extra), extra)
		}
	}
	cancel()
	wg.Wait()
	if writeErr != nil {
		t.Fatalf("a writer failed: %v", writeErr)
	}
}

// Command snapload fills an etcd store with fixed-size values for the
// snapshot benchmark (bench/snapshot.sh). It writes -keys keys of -value-size
// bytes under -prefix with -writers concurrent clients, -batch puts per
// transaction, and prints what it wrote, how long it took and the store's
// database size.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

func main() {
	endpoints := flag.String("endpoints", "http://127.0.0.1:2379", "etcd client URLs, comma-separated")
	keys := flag.Int("keys", 250000, "number of keys to write")
	valueSize := flag.Int("value-size", 1024, "bytes per value")
	writers := flag.Int("writers", 16, "concurrent writers (one client connection each)")
	batch := flag.Int("batch", 1, "puts per transaction")
	prefix := flag.String("prefix", "/sensu.io/checks/bench/", "key prefix")
	timeout := flag.Duration("timeout", 30*time.Second, "timeout of one request")
	flag.Parse()
	if *keys < 1 || *valueSize < 1 || *writers < 1 || *batch < 1 {
		fmt.Fprintln(os.Stderr, "snapload: -keys, -value-size, -writers and -batch must be at least 1")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, strings.Split(*endpoints, ","), *keys, *valueSize, *writers, *batch, *prefix, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "snapload:", err)
		if errors.Is(err, context.Canceled) {
			os.Exit(130)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, endpoints []string, keys, valueSize, writers, batch int, prefix string, timeout time.Duration) error {
	clients := make([]*clientv3.Client, writers)
	for i := range clients {
		c, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: 5 * time.Second})
		if err != nil {
			return fmt.Errorf("connect to %v: %w", endpoints, err)
		}
		defer c.Close()
		clients[i] = c
	}

	var next, done atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	started := time.Now()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cli := clients[w]
			// Incompressible values, different for every writer.
			rnd := rand.New(rand.NewPCG(uint64(w), 0x5eed))
			val := make([]byte, valueSize)
			ops := make([]clientv3.Op, 0, batch)
			for {
				first := next.Add(int64(batch)) - int64(batch)
				if first >= int64(keys) {
					return
				}
				last := min(first+int64(batch), int64(keys))
				ops = ops[:0]
				for i := first; i < last; i++ {
					for j := range val {
						val[j] = byte(rnd.Uint32())
					}
					ops = append(ops, clientv3.OpPut(fmt.Sprintf("%scheck-%07d", prefix, i), string(val)))
				}
				rctx, cancel := context.WithTimeout(ctx, timeout)
				var err error
				if len(ops) == 1 {
					_, err = cli.Do(rctx, ops[0])
				} else {
					_, err = cli.Txn(rctx).Then(ops...).Commit()
				}
				cancel()
				if err != nil {
					if ctx.Err() != nil {
						err = ctx.Err()
					}
					errs <- fmt.Errorf("put keys %d..%d: %w", first, last-1, err)
					return
				}
				done.Add(last - first)
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	took := time.Since(started)
	var dbSize, rev int64
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if st, err := clients[0].Status(sctx, endpoints[0]); err == nil {
		dbSize, rev = st.DbSize, st.Header.GetRevision()
	}
	n := done.Load()
	fmt.Printf("wrote %d keys x %d B (%.1f MiB of values) in %.1fs: %.0f keys/s, %.1f MiB/s; db size %.1f MiB at revision %d\n",
		n, valueSize, float64(n)*float64(valueSize)/(1<<20), took.Seconds(), float64(n)/took.Seconds(),
		float64(n)*float64(valueSize)/(1<<20)/took.Seconds(), float64(dbSize)/(1<<20), rev)
	return nil
}

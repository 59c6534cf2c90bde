// Command loadkeys fills an etcd cluster with fixed-size keys, fast, for
// benchmarks (bench/cluster.sh): etcdctl put, one process per key, is far
// too slow for 100 000 keys.
//
//	go run ./bench/loadkeys -endpoints http://127.0.0.1:2379 -keys 100000 -size 1024 -workers 16
//
// With -until-nospace it keeps writing until etcd refuses with "database
// space exceeded" (a NOSPACE alarm) and exits 0 then. With -distinct N it
// rewrites the same N keys over and over, so the database grows with history
// (which compaction can free) rather than with live keys.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

func main() {
	endpoints := flag.String("endpoints", "http://127.0.0.1:2379", "etcd client URLs, comma-separated")
	keys := flag.Int("keys", 100000, "number of keys to put")
	size := flag.Int("size", 1024, "value size in bytes")
	workers := flag.Int("workers", 16, "concurrent writers")
	prefix := flag.String("prefix", "/bench/loadkeys/", "key prefix")
	untilNoSpace := flag.Bool("until-nospace", false, "keep writing until etcd raises NOSPACE, then stop (exit 0)")
	distinct := flag.Int("distinct", 0, "write only this many distinct keys, overwriting them (0: every put is a new key)")
	flag.Parse()
	if err := run(strings.Split(*endpoints, ","), *keys, *size, *workers, *distinct, *prefix, *untilNoSpace); err != nil {
		fmt.Fprintln(os.Stderr, "loadkeys:", err)
		os.Exit(1)
	}
}

func run(endpoints []string, keys, size, workers, distinct int, prefix string, untilNoSpace bool) error {
	if keys < 1 || size < 1 || workers < 1 || distinct < 0 {
		return errors.New("-keys, -size and -workers must be positive, -distinct not negative")
	}
	cli, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		return err
	}
	defer cli.Close()

	// One random value per worker: bbolt does not compress, so the content
	// does not matter, only that it is not all zeros.
	values := make([]string, workers)
	for i := range values {
		b := make([]byte, size)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		values[i] = string(b)
	}

	var next, done atomic.Int64
	var firstErr error
	var errOnce sync.Once
	var noSpace atomic.Bool
	stop := make(chan struct{})
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err; close(stop) })
	}
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				i := next.Add(1) - 1
				if !untilNoSpace && i >= int64(keys) {
					return
				}
				k := i
				if distinct > 0 {
					k = i % int64(distinct)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				_, err := cli.Put(ctx, fmt.Sprintf("%s%09d", prefix, k), values[w])
				cancel()
				if err != nil {
					if untilNoSpace && errors.Is(err, rpctypes.ErrNoSpace) {
						noSpace.Store(true)
						fail(nil)
						return
					}
					fail(fmt.Errorf("put key %d: %w", i, err))
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	elapsed := time.Since(start)
	n := done.Load()
	mib := float64(n) * float64(size) / (1 << 20)
	fmt.Printf("loadkeys: put %d keys x %d B (%.1f MiB of values) with %d workers in %.1fs: %.0f puts/s, %.1f MiB/s\n",
		n, size, mib, workers, elapsed.Seconds(), float64(n)/elapsed.Seconds(), mib/elapsed.Seconds())
	if noSpace.Load() {
		fmt.Println("loadkeys: stopped at NOSPACE (etcdserver: mvcc: database space exceeded)")
	}
	return nil
}

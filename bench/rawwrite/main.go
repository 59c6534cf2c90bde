// Command rawwrite is the raw write of the resource benchmark
// (bench/resources.sh): the floor for 'sensuctl create' and 'restore'. It
// writes a saved set of keys and values straight through the etcd client,
// in batched transactions shaped like the store's (internal/store/apply.go):
// type by type in registry order (namespaces first), each type's keys sorted
// by namespace, at most -batch-keys puts per transaction and under
// -batch-bytes of values (keys and values counted as Apply counts them), one
// namespace and type per transaction, -in-flight transactions at a time
// within a type, one client connection. Unlike the store it decodes,
// validates, reads and compares nothing: no existence reads before writing,
// no guards in the transactions (Txn().Then(OpPut...) only), no encoding.
//
//	rawwrite -endpoints URL -save FILE [-since REV]   keys under /sensu.io/ last written after REV
//	rawwrite -endpoints URL -load FILE                write FILE's keys and values
//
// -save prints keys=N bytes=B revision=R (bytes: of the values; revision:
// of the read); -load prints keys=N bytes=B txns=T seconds=S.
package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/sensu-etcd/sensu/internal/keyspace"
	"github.com/sensu-etcd/sensu/internal/resource"
)

const magic = "sensu-bench-rawwrite 1\n"

type kv struct {
	key, value string
	typ        int    // index in resource.All
	ns         string // namespace, "" for a type that has none
}

func main() {
	endpoints := flag.String("endpoints", "http://127.0.0.1:2379", "etcd client URLs, comma-separated")
	save := flag.String("save", "", "read the keys under "+keyspace.Root+"/ into this file")
	since := flag.Int64("since", 0, "with -save: only keys last modified after this revision")
	load := flag.String("load", "", "write the keys and values of this file (made by -save)")
	batchKeys := flag.Int("batch-keys", 100, "puts per transaction at most (the store's batchKeys)")
	batchBytes := flag.Int("batch-bytes", 1<<20, "bytes of a transaction, under (the store's batchBytes)")
	inFlight := flag.Int("in-flight", 8, "transactions at a time (the store's inFlight)")
	timeout := flag.Duration("timeout", time.Minute, "timeout of one request")
	flag.Parse()
	if flag.NArg() > 0 || (*save == "") == (*load == "") || *batchKeys < 1 || *batchBytes < 1 || *inFlight < 1 {
		fmt.Fprintln(os.Stderr, "usage: rawwrite -endpoints URL (-save FILE [-since REV] | -load FILE [-batch-keys N] [-batch-bytes B] [-in-flight N])")
		os.Exit(2)
	}
	cli, err := clientv3.New(clientv3.Config{Endpoints: strings.Split(*endpoints, ","), DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err == nil {
		defer cli.Close()
		if *save != "" {
			err = saveKeys(cli, *save, *since, *timeout)
		} else {
			err = loadKeys(cli, *load, *batchKeys, *batchBytes, *inFlight, *timeout)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "rawwrite:", err)
		os.Exit(1)
	}
}

// saveKeys writes every key under the root last modified after since, with
// its value, in key order, read page by page at one revision.
func saveKeys(cli *clientv3.Client, path string, since int64, timeout time.Duration) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	w := bufio.NewWriterSize(f, 1<<20)
	if _, err := w.WriteString(magic); err != nil {
		return err
	}
	prefix := keyspace.Root + "/"
	from, end := prefix, clientv3.GetPrefixRangeEnd(prefix)
	var rev int64
	n, bytes := 0, 0
	var lenBuf [binary.MaxVarintLen64]byte
	put := func(b []byte) error {
		if _, err := w.Write(lenBuf[:binary.PutUvarint(lenBuf[:], uint64(len(b)))]); err != nil {
			return err
		}
		_, err := w.Write(b)
		return err
	}
	for {
		opts := []clientv3.OpOption{clientv3.WithRange(end), clientv3.WithLimit(1000)}
		if rev != 0 {
			opts = append(opts, clientv3.WithRev(rev))
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		resp, err := cli.Get(ctx, from, opts...)
		cancel()
		if err != nil {
			return fmt.Errorf("read %s: %w", from, err)
		}
		if rev == 0 {
			rev = resp.Header.Revision
		}
		for _, k := range resp.Kvs {
			if k.ModRevision <= since {
				continue
			}
			if err := put(k.Key); err != nil {
				return err
			}
			if err := put(k.Value); err != nil {
				return err
			}
			n, bytes = n+1, bytes+len(k.Value)
		}
		if !resp.More || len(resp.Kvs) == 0 {
			break
		}
		from = string(resp.Kvs[len(resp.Kvs)-1].Key) + "\x00"
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Printf("keys=%d bytes=%d revision=%d\n", n, bytes, rev)
	return nil
}

func readKeys(path string) ([]kv, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	head := make([]byte, len(magic))
	if _, err := io.ReadFull(r, head); err != nil || string(head) != magic {
		return nil, fmt.Errorf("%s: not a file of rawwrite -save", path)
	}
	next := func() (string, error) {
		l, err := binary.ReadUvarint(r)
		if err != nil {
			return "", err
		}
		b := make([]byte, l)
		_, err = io.ReadFull(r, b)
		return string(b), err
	}
	var kvs []kv
	for {
		k, err := next()
		if errors.Is(err, io.EOF) {
			return kvs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		v, err := next()
		if err != nil {
			return nil, fmt.Errorf("%s: truncated: %w", path, err)
		}
		kvs = append(kvs, kv{key: k, value: v})
	}
}

// classify finds each key's type (the longest matching prefix) and
// namespace, from the key alone.
func classify(kvs []kv) error {
	for i := range kvs {
		k := &kvs[i]
		best, bestLen := -1, 0
		for ti, t := range resource.All {
			p := t.ListPrefix("")
			if (t.Singleton && k.key == p || !t.Singleton && strings.HasPrefix(k.key, p)) && len(p) > bestLen {
				best, bestLen = ti, len(p)
			}
		}
		if best < 0 {
			return fmt.Errorf("key %s is of no known type", k.key)
		}
		k.typ = best
		if resource.All[best].Namespaced {
			k.ns, _, _ = strings.Cut(k.key[bestLen:], "/")
		}
	}
	return nil
}

func loadKeys(cli *clientv3.Client, path string, batchKeys, batchBytes, inFlight int, timeout time.Duration) error {
	kvs, err := readKeys(path)
	if err != nil {
		return err
	}
	if err := classify(kvs); err != nil {
		return err
	}
	// As Apply: registry order (namespaces first), then by namespace.
	sort.SliceStable(kvs, func(i, j int) bool {
		if kvs[i].typ != kvs[j].typ {
			return kvs[i].typ < kvs[j].typ
		}
		return kvs[i].ns < kvs[j].ns
	})
	start := time.Now()
	txns, bytes := 0, 0
	for first := 0; first < len(kvs); {
		last := first
		for last < len(kvs) && kvs[last].typ == kvs[first].typ {
			last++
		}
		// One type at a time, its batches inFlight at a time (as the
		// store's write and inBatches).
		var g errgroup.Group
		g.SetLimit(inFlight)
		todo := kvs[first:last]
		for s := 0; s < len(todo); {
			e, size := s, 0
			for e < len(todo) && e-s < batchKeys && (e == s || size+len(todo[e].value) < batchBytes) && todo[e].ns == todo[s].ns {
				size += len(todo[e].value) + len(todo[e].key)
				e++
			}
			batch := todo[s:e]
			s = e
			txns++
			g.Go(func() error {
				ops := make([]clientv3.Op, len(batch))
				for i, k := range batch {
					ops[i] = clientv3.OpPut(k.key, k.value)
				}
				ctx, cancel := context.WithTimeout(context.Background(), timeout)
				defer cancel()
				if _, err := cli.Txn(ctx).Then(ops...).Commit(); err != nil {
					return fmt.Errorf("write %d keys (first %s): %w", len(batch), batch[0].key, err)
				}
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
		for _, k := range todo {
			bytes += len(k.value)
		}
		first = last
	}
	fmt.Printf("keys=%d bytes=%d txns=%d seconds=%.3f\n", len(kvs), bytes, txns, time.Since(start).Seconds())
	return nil
}

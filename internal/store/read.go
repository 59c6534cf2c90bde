// Package store reads and writes Sensu resources in etcd: consistent
// paginated reads at one revision, and batched, guarded transactional writes.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/sensu-etcd/sensu/internal/keyspace"
	"github.com/sensu-etcd/sensu/internal/resource"
)

// ErrNotFound is returned when a named resource does not exist.
var ErrNotFound = errors.New("not found")

// pageSize bounds each range request, so memory does not grow with the store.
const pageSize = 1000

// KV is one stored resource.
type KV struct {
	Type        *resource.Type
	Key         string
	Value       []byte
	ModRevision int64
}

// Scan calls fn for every stored resource of the given types, in type order
// and key order, all read at one revision (the store as it was when the scan
// started, or at rev when it is not 0). namespace "" means every namespace. Pages are fetched ahead
// while fn runs. It returns the revision read.
func (s *Store) Scan(ctx context.Context, types []*resource.Type, namespace string, rev int64, fn func(KV) error) (int64, error) {
	for _, t := range types {
		var err error
		rev, err = s.scanType(ctx, t, namespace, rev, fn)
		if err != nil {
			return rev, err
		}
	}
	if rev == 0 {
		resp, err := s.get(ctx, resource.All[0].ListPrefix(""), clientv3.WithCountOnly(), clientv3.WithPrefix())
		if err != nil {
			return 0, err
		}
		rev = resp.Header.Revision
	}
	return rev, nil
}

type page struct {
	kvs []*mvccpb.KeyValue
	err error
}

func (s *Store) scanType(ctx context.Context, t *resource.Type, namespace string, rev int64, fn func(KV) error) (int64, error) {
	prefix := t.ListPrefix(namespace)
	if t.Singleton {
		opts := []clientv3.OpOption{}
		if rev > 0 {
			opts = append(opts, clientv3.WithRev(rev))
		}
		resp, err := s.get(ctx, prefix, opts...)
		if err != nil {
			return rev, readError(t, err)
		}
		// A read at rev answers with the store's current revision in its
		// header: the revision read is rev, and the next types must be read
		// there too.
		if rev == 0 {
			rev = resp.Header.Revision
		}
		for _, kv := range resp.Kvs {
			if err := fn(KV{Type: t, Key: string(kv.Key), Value: kv.Value, ModRevision: kv.ModRevision}); err != nil {
				return rev, err
			}
		}
		return rev, nil
	}

	return s.scanRange(ctx, t, prefix, clientv3.GetPrefixRangeEnd(prefix), rev, fn)
}

// scanRange calls fn for every key in [from, end) of type t, in pages, the
// next page fetched while fn runs.
func (s *Store) scanRange(ctx context.Context, t *resource.Type, from, end string, rev int64, fn func(KV) error) (int64, error) {
	prefix := from
	// The first page fixes the revision when the caller has none yet.
	get := func(from string, rev int64) (*clientv3.GetResponse, error) {
		opts := []clientv3.OpOption{clientv3.WithRange(end), clientv3.WithLimit(pageSize)}
		if rev > 0 {
			opts = append(opts, clientv3.WithRev(rev))
		}
		return s.get(ctx, from, opts...)
	}
	first, err := get(prefix, rev)
	if err != nil {
		return rev, readError(t, err)
	}
	if rev == 0 {
		rev = first.Header.Revision
	}
	pages := make(chan page, 2)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(pages)
		resp := first
		for {
			select {
			case pages <- page{kvs: resp.Kvs}:
			case <-stop:
				return
			}
			if !resp.More || len(resp.Kvs) == 0 {
				return
			}
			next := string(resp.Kvs[len(resp.Kvs)-1].Key) + "\x00"
			var err error
			if resp, err = get(next, rev); err != nil {
				select {
				case pages <- page{err: readError(t, err)}:
				case <-stop:
				}
				return
			}
		}
	}()
	for p := range pages {
		if p.err != nil {
			return rev, p.err
		}
		for _, kv := range p.kvs {
			if err := fn(KV{Type: t, Key: string(kv.Key), Value: kv.Value, ModRevision: kv.ModRevision}); err != nil {
				return rev, err
			}
		}
	}
	return rev, nil
}

func readError(t *resource.Type, err error) error {
	return fmt.Errorf("read %s: %w", t.ShortName, err)
}

// List returns every stored resource of type t in namespace ("" for all),
// decoded, and the revision read.
func (s *Store) List(ctx context.Context, t *resource.Type, namespace string) ([]resource.Object, int64, error) {
	var out []resource.Object
	rev, err := s.Scan(ctx, []*resource.Type{t}, namespace, 0, func(kv KV) error {
		o, err := resource.DecodeStored(t, kv.Value)
		if err != nil {
			return fmt.Errorf("%s: %w", kv.Key, err)
		}
		out = append(out, o)
		return nil
	})
	return out, rev, err
}

// Get returns one resource, or ErrNotFound.
func (s *Store) Get(ctx context.Context, t *resource.Type, namespace, name string) (resource.Object, error) {
	key := t.Key(namespace, name)
	resp, err := s.get(ctx, key)
	if err != nil {
		return nil, readError(t, err)
	}
	if len(resp.Kvs) == 0 {
		return nil, notFound(t, namespace, name)
	}
	return resource.DecodeStored(t, resp.Kvs[0].Value)
}

func notFound(t *resource.Type, namespace, name string) error {
	switch {
	case t.Singleton:
		return fmt.Errorf("%w: no %s is stored", ErrNotFound, t.Kind)
	case t.Namespaced:
		return fmt.Errorf("%w: %s %q in namespace %q", ErrNotFound, t.Singular, name, namespace)
	}
	return fmt.Errorf("%w: %s %q", ErrNotFound, t.Singular, name)
}

// Head returns the current revision of the store and its cluster ID
// (empty before init).
func (s *Store) Head(ctx context.Context) (int64, string, error) {
	resp, err := s.get(ctx, keyspace.ClusterIDKey)
	if err != nil {
		return 0, "", err
	}
	var id string
	if len(resp.Kvs) > 0 {
		if json.Unmarshal(resp.Kvs[0].Value, &id) != nil {
			id = string(resp.Kvs[0].Value)
		}
	}
	return resp.Header.Revision, id, nil
}

// ErrNotEmpty is returned when deleting a namespace that still holds resources.
var ErrNotEmpty = errors.New("namespace is not empty")

// Delete removes one resource. A namespace is only deleted when nothing is
// stored in it, checked in the same transaction.
func (s *Store) Delete(ctx context.Context, t *resource.Type, namespace, name string) error {
	key := t.Key(namespace, name)
	cmps := []clientv3.Cmp{clientv3.Compare(clientv3.CreateRevision(key), ">", 0)}
	if t.Kind == "Namespace" {
		for _, nt := range resource.All {
			if nt.Namespaced {
				cmps = append(cmps, clientv3.Compare(clientv3.CreateRevision(nt.ListPrefix(name)), "=", 0).WithPrefix())
			}
		}
	}
	resp, err := s.txn(ctx).If(cmps...).Then(clientv3.OpDelete(key)).Commit()
	if err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	if resp.Succeeded {
		return nil
	}
	if t.Kind == "Namespace" {
		if _, err := s.Get(ctx, t, "", name); err != nil {
			return err
		}
		var kinds []string
		for _, nt := range resource.All {
			if !nt.Namespaced {
				continue
			}
			r, err := s.get(ctx, nt.ListPrefix(name), clientv3.WithPrefix(), clientv3.WithCountOnly())
			if err != nil {
				return fmt.Errorf("delete namespace %s: %w", name, err)
			}
			if r.Count > 0 {
				kinds = append(kinds, fmt.Sprintf("%d %s", r.Count, nt.ShortName))
			}
		}
		return fmt.Errorf("%w: namespace %q still holds %s; delete those first", ErrNotEmpty, name, strings.Join(kinds, ", "))
	}
	return notFound(t, namespace, name)
}

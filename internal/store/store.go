package store

import (
	"context"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Store reads and writes resources through one etcd client. Timeout bounds
// each request, not a whole dump or restore, which may take longer.
type Store struct {
	cli     *clientv3.Client
	timeout time.Duration
}

// New returns a Store; timeout 0 means no per-request limit.
func New(cli *clientv3.Client, timeout time.Duration) *Store {
	return &Store{cli: cli, timeout: timeout}
}

func (s *Store) req(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, s.timeout)
}

func (s *Store) get(ctx context.Context, key string, opts ...clientv3.OpOption) (*clientv3.GetResponse, error) {
	ctx, cancel := s.req(ctx)
	defer cancel()
	return s.cli.Get(ctx, key, opts...)
}

// txn runs one transaction within the request timeout.
func (s *Store) txn(ctx context.Context) txnBuilder {
	return txnBuilder{s: s, ctx: ctx}
}

type txnBuilder struct {
	s    *Store
	ctx  context.Context
	cmps []clientv3.Cmp
	ops  []clientv3.Op
}

func (b txnBuilder) If(c ...clientv3.Cmp) txnBuilder  { b.cmps = c; return b }
func (b txnBuilder) Then(o ...clientv3.Op) txnBuilder { b.ops = o; return b }
func (b txnBuilder) Commit() (*clientv3.TxnResponse, error) {
	ctx, cancel := b.s.req(b.ctx)
	defer cancel()
	return b.s.cli.Txn(ctx).If(b.cmps...).Then(b.ops...).Commit()
}

package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"golang.org/x/crypto/bcrypt"
	"google.golang.org/grpc"

	"github.com/sensu-etcd/sensu/internal/resource"
)

// Conflict says what Apply does with a resource that exists with other content.
type Conflict string

// The conflict policies.
const (
	Overwrite Conflict = "overwrite"
	Skip      Conflict = "skip"
	Fail      Conflict = "fail"
)

// ParseConflict reads an --on-conflict value.
func ParseConflict(s string) (Conflict, error) {
	switch c := Conflict(s); c {
	case Overwrite, Skip, Fail:
		return c, nil
	}
	return "", fmt.Errorf("unknown conflict policy %q: use overwrite, skip or fail", s)
}

// Entry is one resource to write and where it came from.
type Entry struct {
	Type   *resource.Type
	Object resource.Object
	// Where locates the entry in the input, for messages.
	Where string
}

// ApplyOptions control Apply.
type ApplyOptions struct {
	OnConflict Conflict
	DryRun     bool
	// Detail lists every entry's outcome in Summary.Entries.
	Detail bool
	// Progress, when set, is called after each written batch with the
	// number of entries decided so far and the total.
	Progress func(done, total int)
	// AssumeNamespaces are taken to exist: a dry run in several steps
	// plans a namespace in the first and uses it in the next.
	AssumeNamespaces []string
	// Writer is who writes and when, for what Sensu Go's API adds to a
	// silence (begin, expire_at, creator).
	Writer resource.Writer
}

// Outcomes of one entry.
const (
	Created   = "created"
	Updated   = "updated"
	Unchanged = "unchanged"
	Skipped   = "skipped"
	Failed    = "failed"
)

// TypeSummary counts the outcomes for one type.
type TypeSummary struct {
	Type      string `json:"type"`
	Created   int    `json:"created"`
	Updated   int    `json:"updated"`
	Unchanged int    `json:"unchanged"`
	Skipped   int    `json:"skipped"`
	Failed    int    `json:"failed"`
}

// Summary is what Apply did, or would do with DryRun.
type Summary struct {
	DryRun bool          `json:"dry_run"`
	Types  []TypeSummary `json:"types"`
	// DisabledUsers were created disabled because the input had no password
	// hash for them.
	DisabledUsers []string `json:"disabled_users"`
	// Failures explain each failed entry.
	Failures []string `json:"failures"`
	// Revision is the store revision after the last write (or of the reads).
	Revision int64 `json:"revision"`
	// Entries, with ApplyOptions.Detail, is every entry's outcome in order.
	Entries []EntryOutcome `json:"entries,omitempty"`
}

// EntryOutcome is what happened to one entry.
type EntryOutcome struct {
	Type    string `json:"type"`
	Key     string `json:"key"`
	Outcome string `json:"outcome"`
}

// Total counts entries with outcome o.
func (s *Summary) Total(o string) int {
	n := 0
	for _, t := range s.Types {
		switch o {
		case Created:
			n += t.Created
		case Updated:
			n += t.Updated
		case Unchanged:
			n += t.Unchanged
		case Skipped:
			n += t.Skipped
		case Failed:
			n += t.Failed
		}
	}
	return n
}

// ErrMissingNamespace, ErrConflict are input problems found before writing.
var (
	ErrMissingNamespace = errors.New("namespace does not exist")
	ErrConflict         = errors.New("resources exist with other content")
)

// PreflightError lists problems found before anything was written.
type PreflightError struct {
	Kind     error
	Problems []string
}

func (e *PreflightError) Error() string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%d problem(s) (%v), nothing was written:", len(e.Problems), e.Kind)
	for i, p := range e.Problems {
		if i == maxListed {
			fmt.Fprintf(&b, "\n  … and %d more", len(e.Problems)-maxListed)
			break
		}
		b.WriteString("\n  ")
		b.WriteString(p)
	}
	return b.String()
}

func (e *PreflightError) Unwrap() error { return e.Kind }

const maxListed = 20

// Batch limits: etcd refuses a transaction with more than --max-txn-ops
// (default 128) compares or operations, or a request over 1.5 MiB.
const (
	batchKeys  = 100
	batchBytes = 1 << 20
	inFlight   = 8
)

// planned is one entry with its stored value and what will happen to it.
type planned struct {
	Entry
	key     string
	value   []byte
	outcome string
	modRev  int64 // of the existing key, guarded on update
}

// Apply writes entries: everything is checked first (namespaces exist or
// are in the input, conflicts under --on-conflict fail), then written in
// registry order (namespaces first) in transactions that each check the
// namespace still exists and that no key changed since it was read.
// A failed batch does not stop the others; its entries count as failed.
func (s *Store) Apply(ctx context.Context, entries []Entry, opts ApplyOptions, warn func(string)) (*Summary, error) {
	if opts.OnConflict == "" {
		opts.OnConflict = Overwrite
	}
	plan := make([]*planned, len(entries))
	for i, e := range entries {
		plan[i] = &planned{Entry: e, key: e.Type.KeyOf(e.Object)}
	}
	sort.SliceStable(plan, func(i, j int) bool { return typeIndex(plan[i].Type) < typeIndex(plan[j].Type) })

	existing, rev, err := s.readExisting(ctx, plan)
	if err != nil {
		return nil, err
	}
	sum := &Summary{DryRun: opts.DryRun, Revision: rev}
	if err := s.checkNamespaces(ctx, plan, opts.AssumeNamespaces); err != nil {
		return nil, err
	}
	var conflicts []string
	enc := resource.NewEncoder()
	for _, p := range plan {
		cur, found := existing[p.key]
		if err := prepareValue(enc, p, cur, found, opts.Writer, warn); err != nil {
			return nil, err
		}
		if u, ok := p.Object.(*resource.User); ok && u.Disabled && u.PasswordHash == "" && !found {
			sum.DisabledUsers = append(sum.DisabledUsers, u.Username)
		}
		switch {
		case !found:
			p.outcome = Created
		case bytes.Equal(cur.value, p.value):
			p.outcome = Unchanged
		case opts.OnConflict == Skip:
			p.outcome = Skipped
		case opts.OnConflict == Fail:
			conflicts = append(conflicts, fmt.Sprintf("%s: %s exists with other content", p.Where, p.key))
		default:
			p.outcome, p.modRev = Updated, cur.modRev
		}
	}
	if len(conflicts) > 0 {
		return nil, &PreflightError{Kind: ErrConflict, Problems: conflicts}
	}
	for _, u := range sum.DisabledUsers {
		warn(fmt.Sprintf("user %s has no password hash in the input: created disabled (dump with --include-secrets to keep passwords)", u))
	}
	if !opts.DryRun {
		r, werr := s.write(ctx, plan, sum, opts.OnConflict, opts.Progress)
		sum.Revision = max(sum.Revision, r)
		if werr != nil {
			tally(sum, plan)
			return sum, werr
		}
	}
	tally(sum, plan)
	if opts.Detail {
		for _, p := range plan {
			sum.Entries = append(sum.Entries, EntryOutcome{Type: p.Type.FullName(), Key: p.key, Outcome: p.outcome})
		}
	}
	return sum, nil
}

func tally(sum *Summary, plan []*planned) {
	sum.Types = nil
	byType := map[*resource.Type]*TypeSummary{}
	for _, p := range plan {
		ts := byType[p.Type]
		if ts == nil {
			ts = &TypeSummary{Type: p.Type.FullName()}
			byType[p.Type] = ts
		}
		switch p.outcome {
		case Created:
			ts.Created++
		case Updated:
			ts.Updated++
		case Unchanged:
			ts.Unchanged++
		case Skipped:
			ts.Skipped++
		default:
			ts.Failed++
		}
	}
	for _, t := range resource.All {
		if ts := byType[t]; ts != nil {
			sum.Types = append(sum.Types, *ts)
		}
	}
}

func typeIndex(t *resource.Type) int {
	for i, at := range resource.All {
		if at == t {
			return i
		}
	}
	return len(resource.All)
}

type stored struct {
	value  []byte
	modRev int64
}

// readExisting reads the current value of every planned key: groups of
// many keys of one type and namespace with one paginated range read (a
// restore into an empty store reads nothing), the rest in batched gets.
func (s *Store) readExisting(ctx context.Context, plan []*planned) (map[string]stored, int64, error) {
	existing := make(map[string]stored)
	var rev int64
	type group struct {
		t  *resource.Type
		ns string
	}
	groups := map[group][]*planned{}
	var order []group
	for _, p := range plan {
		g := group{p.Type, p.Object.Meta().Namespace}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], p)
	}
	var few []*planned
	for _, g := range order {
		ps := groups[g]
		if len(ps) < rangeReadMin || g.t.Singleton {
			few = append(few, ps...)
			continue
		}
		want := make(map[string]bool, len(ps))
		lo, hi := ps[0].key, ps[0].key
		for _, p := range ps {
			want[p.key] = true
			lo, hi = min(lo, p.key), max(hi, p.key)
		}
		// Only the span of the planned keys is read, not the whole prefix:
		// a migration writes a namespace part by part.
		r, err := s.scanRange(ctx, g.t, lo, hi+"\x00", 0, func(kv KV) error {
			if want[kv.Key] {
				existing[kv.Key] = stored{value: kv.Value, modRev: kv.ModRevision}
			}
			return nil
		})
		if err != nil {
			return nil, 0, fmt.Errorf("read existing resources: %w", err)
		}
		rev = max(rev, r)
	}
	var mu sync.Mutex
	err := inBatches(ctx, few, func(ctx context.Context, batch []*planned) error {
		ops := make([]clientv3.Op, len(batch))
		for i, p := range batch {
			ops[i] = clientv3.OpGet(p.key)
		}
		resp, err := s.txn(ctx).Then(ops...).Commit()
		if err != nil {
			return fmt.Errorf("read existing resources: %w", err)
		}
		mu.Lock()
		defer mu.Unlock()
		rev = max(rev, resp.Header.Revision)
		for _, r := range resp.Responses {
			for _, kv := range r.GetResponseRange().Kvs {
				existing[string(kv.Key)] = stored{value: kv.Value, modRev: kv.ModRevision}
			}
		}
		return nil
	})
	return existing, rev, err
}

// rangeReadMin is the group size from which one range read beats gets.
const rangeReadMin = 64

// checkNamespaces makes sure every namespace used exists or is created by
// the input.
func (s *Store) checkNamespaces(ctx context.Context, plan []*planned, assumed []string) error {
	nsType, _ := resource.Lookup("namespaces")
	provided := map[string]bool{}
	for _, ns := range assumed {
		provided[ns] = true
	}
	needed := map[string]string{} // namespace → first place that uses it
	var order []string
	for _, p := range plan {
		if p.Type == nsType {
			provided[resource.StoreName(p.Object)] = true
		}
		if ns := p.Object.Meta().Namespace; p.Type.Namespaced && !provided[ns] {
			if _, ok := needed[ns]; !ok {
				needed[ns] = p.Where
				order = append(order, ns)
			}
		}
	}
	var problems []string
	for _, ns := range order {
		if provided[ns] {
			continue
		}
		resp, err := s.get(ctx, nsType.Key("", ns), clientv3.WithCountOnly())
		if err != nil {
			return fmt.Errorf("check namespace %s: %w", ns, err)
		}
		if resp.Count == 0 {
			problems = append(problems, fmt.Sprintf("%s: namespace %q does not exist and is not in the input", needed[ns], ns))
		}
	}
	if len(problems) > 0 {
		return &PreflightError{Kind: ErrMissingNamespace, Problems: problems}
	}
	return nil
}

// prepareValue encodes the stored form. Users: a plain password is hashed;
// with no password or hash the existing hash is kept, and a new user is
// created disabled.
func prepareValue(enc *resource.Encoder, p *planned, cur stored, found bool, w resource.Writer, warn func(string)) error {
	if s, ok := p.Object.(*resource.Silenced); ok {
		var prev *resource.Silenced
		if found {
			if old, err := resource.DecodeStored(p.Type, cur.value); err == nil {
				prev = old.(*resource.Silenced)
			}
		}
		if w.Now.IsZero() {
			w.Now = time.Now()
		}
		resource.CompleteSilence(s, prev, w)
	}
	if e, ok := p.Object.(*resource.Entity); ok {
		var prev *resource.Entity
		if found {
			if old, err := resource.DecodeStored(p.Type, cur.value); err == nil {
				prev = old.(*resource.Entity)
			}
		}
		if lost := resource.KeepRedacted(e, prev); len(lost) > 0 && warn != nil {
			warn(fmt.Sprintf("%s: entity %s: %s read REDACTED (a dump without secrets) and no value is stored: written as REDACTED",
				p.Where, e.Metadata.Name, strings.Join(lost, ", ")))
		}
	}
	if u, ok := p.Object.(*resource.User); ok {
		var oldHash string
		if found {
			if old, err := resource.DecodeStored(p.Type, cur.value); err == nil {
				oldHash = old.(*resource.User).PasswordHash
			}
		}
		switch {
		case u.Password != "" && oldHash != "" && bcrypt.CompareHashAndPassword([]byte(oldHash), []byte(u.Password)) == nil:
			// Same password: keep the hash, so that applying the file again
			// changes nothing.
			u.PasswordHash, u.Password = oldHash, ""
		case u.Password != "":
			h, err := bcrypt.GenerateFromPassword([]byte(u.Password), bcrypt.DefaultCost)
			if err != nil {
				return fmt.Errorf("%s: hash the password of user %s: %w", p.Where, u.Username, err)
			}
			u.PasswordHash, u.Password = string(h), ""
		case u.PasswordHash != "":
		default:
			u.PasswordHash = oldHash
		}
		if u.PasswordHash == "" {
			u.Disabled = true
		}
	}
	v, err := enc.Encode(p.Object)
	if err != nil {
		return fmt.Errorf("%s: %w", p.Where, err)
	}
	p.value = v
	return nil
}

// write applies the plan type by type; batches of one type run
// concurrently. Entries end Created/Updated only once their transaction
// committed; on an error every entry not written is Failed.
func (s *Store) write(ctx context.Context, plan []*planned, sum *Summary, policy Conflict, progress func(done, total int)) (int64, error) {
	var rev int64
	var mu sync.Mutex
	done := 0
	for _, p := range plan {
		if p.outcome != Created && p.outcome != Updated {
			done++
		}
	}
	written := map[*planned]bool{}
	var err error
	for start := 0; start < len(plan) && err == nil; {
		end := start
		for end < len(plan) && plan[end].Type == plan[start].Type {
			end++
		}
		var todo []*planned
		for _, p := range plan[start:end] {
			if p.outcome == Created || p.outcome == Updated {
				todo = append(todo, p)
			}
		}
		sort.SliceStable(todo, func(i, j int) bool { return todo[i].Object.Meta().Namespace < todo[j].Object.Meta().Namespace })
		err = inBatches(ctx, todo, func(ctx context.Context, batch []*planned) error {
			r, err := s.writeBatchRetrying(ctx, batch, policy)
			mu.Lock()
			defer mu.Unlock()
			rev = max(rev, r)
			var bf *batchFailure
			switch {
			case errors.As(err, &bf):
				for _, p := range bf.failed {
					p.outcome = Failed
					sum.Failures = append(sum.Failures, fmt.Sprintf("%s: %s", p.Where, bf.reason))
				}
				for _, p := range batch {
					written[p] = p.outcome != Failed
				}
				return nil
			case err != nil:
				return err
			}
			for _, p := range batch {
				written[p] = true
			}
			done += len(batch)
			if progress != nil {
				progress(done, len(plan))
			}
			return nil
		})
		start = end
	}
	if err != nil {
		for _, p := range plan {
			if (p.outcome == Created || p.outcome == Updated) && !written[p] {
				p.outcome = Failed
			}
		}
	}
	return rev, err
}

type batchFailure struct {
	reason string
	failed []*planned
}

func (b *batchFailure) Error() string { return b.reason }

// writeBatchRetrying writes a batch; when a key changed since it was read
// (someone else wrote it during the restore), it reads the batch again,
// decides each entry anew under the policy, and retries, a few times.
func (s *Store) writeBatchRetrying(ctx context.Context, batch []*planned, policy Conflict) (int64, error) {
	const attempts = 3
	var rev int64
	for attempt := 1; ; attempt++ {
		r, ok, err := s.writeBatch(ctx, batch)
		rev = max(rev, r)
		if err != nil || ok {
			return rev, err
		}
		if reason, gone := s.namespaceGone(ctx, batch); gone {
			return rev, &batchFailure{reason: reason, failed: batch}
		}
		if attempt == attempts {
			return rev, &batchFailure{reason: "kept changing while restoring; run again", failed: batch}
		}
		current, r2, err := s.readKeys(ctx, batch)
		if err != nil {
			return rev, err
		}
		rev = max(rev, r2)
		var again, failed []*planned
		for _, p := range batch {
			cur, found := current[p.key]
			switch {
			case !found:
				p.outcome, p.modRev = Created, 0
			case bytes.Equal(cur.value, p.value):
				p.outcome = Unchanged
			case policy == Skip:
				p.outcome = Skipped
			case policy == Fail:
				failed = append(failed, p)
				continue
			default:
				p.outcome, p.modRev = Updated, cur.modRev
			}
			if p.outcome == Created || p.outcome == Updated {
				again = append(again, p)
			}
		}
		if len(failed) > 0 {
			// Write what can be written, then report the conflicts.
			if len(again) > 0 {
				if r, err := s.writeBatchRetrying(ctx, again, policy); err != nil {
					return max(rev, r), err
				}
			}
			return rev, &batchFailure{reason: "changed by someone else while restoring (--on-conflict fail)", failed: failed}
		}
		if len(again) == 0 {
			return rev, nil
		}
		batch = again
	}
}

func (s *Store) namespaceGone(ctx context.Context, batch []*planned) (string, bool) {
	if !batch[0].Type.Namespaced {
		return "", false
	}
	nsType, _ := resource.Lookup("namespaces")
	ns := batch[0].Object.Meta().Namespace
	r, err := s.get(ctx, nsType.Key("", ns), clientv3.WithCountOnly())
	if err == nil && r.Count == 0 {
		return fmt.Sprintf("namespace %q was deleted while restoring", ns), true
	}
	return "", false
}

func (s *Store) readKeys(ctx context.Context, batch []*planned) (map[string]stored, int64, error) {
	ops := make([]clientv3.Op, len(batch))
	for i, p := range batch {
		ops[i] = clientv3.OpGet(p.key)
	}
	resp, err := s.txn(ctx).Then(ops...).Commit()
	if err != nil {
		return nil, 0, fmt.Errorf("read %s again: %w", batch[0].Type.ShortName, err)
	}
	out := map[string]stored{}
	for _, r := range resp.Responses {
		for _, kv := range r.GetResponseRange().Kvs {
			out[string(kv.Key)] = stored{value: kv.Value, modRev: kv.ModRevision}
		}
	}
	return out, resp.Header.Revision, nil
}

// writeBatch writes one batch in one transaction, guarded by the namespace
// and by each key's revision as read. The batch shares one namespace. ok is
// false when a guard failed.
func (s *Store) writeBatch(ctx context.Context, batch []*planned) (rev int64, ok bool, err error) {
	nsType, _ := resource.Lookup("namespaces")
	var cmps []clientv3.Cmp
	if batch[0].Type.Namespaced {
		cmps = append(cmps, clientv3.Compare(clientv3.CreateRevision(nsType.Key("", batch[0].Object.Meta().Namespace)), ">", 0))
	}
	req := &pb.TxnRequest{Success: make([]*pb.RequestOp, 0, len(batch))}
	for _, p := range batch {
		if p.outcome == Created {
			cmps = append(cmps, clientv3.Compare(clientv3.CreateRevision(p.key), "=", 0))
		} else {
			cmps = append(cmps, clientv3.Compare(clientv3.ModRevision(p.key), "=", p.modRev))
		}
		// The request shares the encoded value (which is not changed after
		// encoding): clientv3.OpPut takes a string and would copy every
		// value once more.
		req.Success = append(req.Success, &pb.RequestOp{Request: &pb.RequestOp_RequestPut{
			RequestPut: &pb.PutRequest{Key: []byte(p.key), Value: p.value}}})
	}
	for i := range cmps {
		req.Compare = append(req.Compare, cmps[i].GetCompare())
	}
	rctx, cancel := s.req(ctx)
	defer cancel()
	// As clientv3's Txn does: wait for a connection, and the same errors.
	resp, err := pb.NewKVClient(s.cli.ActiveConnection()).Txn(rctx, req, grpc.WaitForReady(true))
	if err != nil {
		err = clientv3.ContextError(rctx, err)
		return 0, false, fmt.Errorf("write %d %s (first %s): %w", len(batch), batch[0].Type.ShortName, batch[0].key, err)
	}
	return resp.Header.Revision, resp.Succeeded, nil
}

// inBatches runs fn over consecutive batches (same namespace, bounded keys
// and bytes), with a few in flight. The first error stops new batches;
// batches already sent finish, so that their outcome is known.
func inBatches(ctx context.Context, plan []*planned, fn func(context.Context, []*planned) error) error {
	sem := make(chan struct{}, inFlight)
	stopped := make(chan struct{})
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	fail := func(err error) { once.Do(func() { firstErr = err; close(stopped) }) }
launch:
	for start := 0; start < len(plan); {
		end, size := start, 0
		for end < len(plan) && end-start < batchKeys && (end == start || size+len(plan[end].value) < batchBytes) &&
			plan[end].Object.Meta().Namespace == plan[start].Object.Meta().Namespace && plan[end].Type == plan[start].Type {
			size += len(plan[end].value) + len(plan[end].key)
			end++
		}
		batch := plan[start:end]
		start = end
		select {
		case sem <- struct{}{}:
		case <-stopped:
			break launch
		case <-ctx.Done():
			fail(ctx.Err())
			break launch
		}
		select {
		case <-stopped:
			<-sem
			break launch
		default:
		}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := fn(ctx, batch); err != nil {
				fail(err)
			}
		})
	}
	wg.Wait()
	return firstErr
}

package resource_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/sensu-etcd/sensu/internal/resource"
)

// FuzzValidateMatchesCore mutates real resources one field at a time and
// checks that our decision (resource.Decode, then resource.Prepare) is the
// decision of Sensu Go's own core/v2 types (json.Unmarshal, then Validate).
// Prepare ends with core/v2's Validate, so what core refuses we refuse; the
// fuzzer looks for the other side: our own checks, which run first to name
// the field, must never refuse what Sensu Go accepts, and our decoding must
// read what core's reads. The few places where we refuse on purpose are
// listed in deliberateRefusals.
func FuzzValidateMatchesCore(f *testing.F) {
	seeds := fuzzSeeds(f)
	for i := range seeds {
		f.Add(uint8(i), uint16(0), "", false)
	}
	f.Add(uint8(0), uint16(3), `"0 0 * * *"`, true)
	f.Add(uint8(1), uint16(7), "*/5 * * * *", false)
	f.Add(uint8(2), uint16(1), `[{"critical":["a"]},{"1":["b"]}]`, true)
	f.Add(uint8(3), uint16(2), `null`, true)
	f.Add(uint8(4), uint16(5), `-1`, true)
	f.Fuzz(func(t *testing.T, seed uint8, leaf uint16, value string, raw bool) {
		doc := mutate(t, seeds[int(seed)%len(seeds)], int(leaf), value, raw)
		if doc == nil {
			return
		}
		ours := oursDecision(doc)
		core := coreDecision(t, doc)
		if (ours == nil) == (core == nil) {
			return
		}
		if ours != nil && deliberate(ours) {
			return
		}
		t.Fatalf("decisions differ on\n%s\nours: %v\ncore: %v", doc, ours, core)
	})
}

// deliberateRefusals are what we refuse although core/v2's Validate would
// accept it, each for a reason docs/resources.md gives.
var deliberateRefusals = []string{
	// The namespace is part of every key: it must be a valid namespace name.
	"metadata.namespace:",
	// An event is stored under entity/check, and its entity's namespace is
	// the event's.
	"spec.check: an event with metrics only",
	"spec.check: an event needs a check",
	"spec.entity.metadata.namespace:",
	// One check_hooks entry with several types: core/v2 keeps one at random.
	"check_hooks: an entry maps one type",
	// A Namespace's or User's name given twice, differently: which one is
	// meant cannot be known.
	"differs from spec.name",
	"differs from spec.username",
	// A name over MaxNameBytes.
	"a name is at most",
	// An API key's name is its key in the store.
	"metadata.name: must not be empty: an API key",
}

func deliberate(err error) bool {
	for _, d := range deliberateRefusals {
		if strings.Contains(err.Error(), d) {
			return true
		}
	}
	return false
}

func oursDecision(doc []byte) error {
	d, err := resource.Decode(doc)
	if err != nil {
		return err
	}
	return resource.Prepare(d.Type, d.Object, "default")
}

func coreDecision(t *testing.T, doc []byte) error {
	var w struct {
		Spec json.RawMessage `json:"spec"`
	}
	if err := json.Unmarshal(doc, &w); err != nil {
		return err
	}
	if s := bytes.TrimSpace(w.Spec); len(s) == 0 || s[0] != '{' {
		return errors.New("no spec provided")
	}
	_, r, err := coreDecodeWrapped(t, doc)
	if err != nil {
		return err
	}
	return validateRecovering(r.(interface{ Validate() error }))
}

// validateRecovering is core/v2's Validate, with a panic (a null entry in
// an asset's builds makes one) as a refusal: Sensu Go's API fails the
// request.
func validateRecovering(r interface{ Validate() error }) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return r.Validate()
}

// fuzzSeeds are the wrapped documents of Sensu Go 6.12's own dump.
func fuzzSeeds(f *testing.F) [][]byte {
	data, err := os.ReadFile("../../testdata/sensu-go/live-6.12/dump-all-namespaces.wrapped.json")
	if err != nil {
		f.Fatal(err)
	}
	var seeds [][]byte
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err == io.EOF {
			break
		} else if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, raw)
	}
	return seeds
}

// mutate replaces one value of doc (leaf counts the values in a fixed
// order, map keys included as values of their own) with value: parsed as
// JSON when raw, else as a string.
func mutate(t *testing.T, doc []byte, leaf int, value string, raw bool) []byte {
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatal(err)
	}
	var repl any = value
	if raw {
		if json.Unmarshal([]byte(value), &repl) != nil {
			return nil
		}
	}
	if leaf > 0 {
		var paths []func(any)
		collect(v, &paths)
		if len(paths) == 0 {
			return nil
		}
		paths[leaf%len(paths)](repl)
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return out
}

// collect lists setters for every value under v (not v itself).
func collect(v any, out *[]func(any)) {
	switch c := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(c))
		for k := range c {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			*out = append(*out, func(x any) { c[k] = x })
			collect(c[k], out)
		}
	case []any:
		for i := range c {
			*out = append(*out, func(x any) { c[i] = x })
			collect(c[i], out)
		}
	}
}

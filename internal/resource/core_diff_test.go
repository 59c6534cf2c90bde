package resource_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	corev2 "github.com/sensu/core/v2"

	"github.com/sensu-etcd/sensu/internal/manifest"
	"github.com/sensu-etcd/sensu/internal/resource"
)

// The differential tests hold our resource types equal to Sensu Go's own
// (github.com/sensu/core/v2 v2.20.0, what Sensu Go 6.12 uses): every
// resource of the real Sensu Go samples and of our testdata decodes to the
// same JSON through both, and what we print goes back through core's
// json.Unmarshal and Validate unchanged.

// sampleFiles are every wrapped resource file the tests own: real Sensu Go
// 6.12 output and input, and our hand-written sets.
func sampleFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, dir := range []string{"../../testdata/sensu-go", "../../testdata/sensu-go/live-6.12", "../../testdata/resources"} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() || !(strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".json")) {
				continue
			}
			files = append(files, filepath.Join(dir, name))
		}
	}
	return files
}

// wrappedDoc is one document of a sample file, split but not decoded.
type wrappedDoc struct {
	where string
	json  []byte
}

// sampleDocs splits every sample file into wrapped documents. Files of
// `<type> info/list --format json` (bare values, no wrapper) are left to
// TestCoreBareOutputs.
func sampleDocs(t *testing.T) []wrappedDoc {
	t.Helper()
	var out []wrappedDoc
	for _, file := range sampleFiles(t) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		docs, err := manifest.Split(manifest.Source{Name: file, Data: data})
		if err != nil {
			t.Fatalf("split %s: %v", file, err)
		}
		for _, d := range docs {
			var probe struct {
				Type string `json:"type"`
			}
			if json.Unmarshal(d.JSON, &probe) != nil || probe.Type == "" {
				continue
			}
			out = append(out, wrappedDoc{where: fmt.Sprintf("%s:%d", filepath.Base(file), d.Line), json: d.JSON})
		}
	}
	return out
}

// coreDecodeWrapped decodes a wrapped document the way Sensu Go's sensuctl
// create does: the spec into core's type, the outer metadata over the
// spec's, a namespaced resource without a namespace into "default".
func coreDecodeWrapped(t *testing.T, doc []byte) (*resource.Type, any, error) {
	t.Helper()
	var w struct {
		Type       string                     `json:"type"`
		APIVersion string                     `json:"api_version"`
		Metadata   map[string]json.RawMessage `json:"metadata"`
		Spec       map[string]json.RawMessage `json:"spec"`
	}
	if err := json.Unmarshal(doc, &w); err != nil {
		return nil, nil, err
	}
	typ, err := resource.LookupKind(w.APIVersion, w.Type)
	if err != nil {
		return nil, nil, err
	}
	// Sensu Go's wrapper reads the outer metadata as an ObjectMeta.
	if md, err := json.Marshal(w.Metadata); err == nil {
		var om corev2.ObjectMeta
		if err := json.Unmarshal(md, &om); err != nil {
			return typ, nil, err
		}
	}
	if len(w.Metadata) > 0 && typ.Kind != "Namespace" && typ.Kind != "User" && typ.Kind != "TessenConfig" {
		inner := map[string]json.RawMessage{}
		if m, ok := w.Spec["metadata"]; ok {
			if err := json.Unmarshal(m, &inner); err != nil {
				return nil, nil, err
			}
		}
		for k, v := range w.Metadata {
			inner[k] = v
		}
		w.Spec["metadata"], _ = json.Marshal(inner)
	}
	// Namespace and User keep their name in the spec: the outer name
	// fills it in (core/v2's SetObjectMeta).
	if name, ok := w.Metadata["name"]; ok && (typ.Kind == "Namespace" || typ.Kind == "User") {
		field := map[string]string{"Namespace": "name", "User": "username"}[typ.Kind]
		if v, ok := w.Spec[field]; !ok || string(v) == `""` || string(v) == "null" {
			w.Spec[field] = name
		}
	}
	spec, _ := json.Marshal(w.Spec)
	r := typ.NewCore()
	if err := json.Unmarshal(spec, r); err != nil {
		return typ, nil, err
	}
	switch v := r.(type) {
	case *corev2.CheckConfig:
		v.Subdue = nil // Sensu Go's sensuctl create nulls it
	case *corev2.EventFilter:
		v.When = nil // likewise
	case *corev2.Silenced:
		// core's Prepare, which Sensu Go's API runs on a write.
		if v.Name == "" {
			v.Name, _ = corev2.SilencedName(v.Subscription, v.Check)
		}
	case *corev2.Event:
		// A dumped event names its namespace in its entity only; restore it
		// there, as `sensuctl create --namespace NS` of Sensu Go's own
		// events dump does.
		if v.Namespace == "" && v.Entity != nil && v.Entity.Namespace != "" {
			v.SetNamespace(v.Entity.Namespace)
		}
	}
	if typ.Namespaced && r.GetObjectMeta().Namespace == "" {
		r.SetNamespace("default")
	}
	return typ, r, nil
}

// canonical decodes JSON into plain values with exact numbers, so that two
// encodings compare equal whatever their key order.
func canonical(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("canonical: %v in %s", err, b)
	}
	return v
}

// diffJSON names the paths where a and b differ, for a readable failure.
func diffJSON(path string, a, b any) []string {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		var sorted []string
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		var out []string
		for _, k := range sorted {
			av, ain := am[k]
			bv, bin := bm[k]
			switch {
			case !ain:
				out = append(out, fmt.Sprintf("%s.%s: only in core (%v)", path, k, bv))
			case !bin:
				out = append(out, fmt.Sprintf("%s.%s: only in ours (%v)", path, k, av))
			default:
				out = append(out, diffJSON(path+"."+k, av, bv)...)
			}
		}
		return out
	}
	as, aok := a.([]any)
	bs, bok := b.([]any)
	if aok && bok && len(as) == len(bs) {
		var out []string
		for i := range as {
			out = append(out, diffJSON(fmt.Sprintf("%s[%d]", path, i), as[i], bs[i])...)
		}
		return out
	}
	if !reflect.DeepEqual(a, b) {
		return []string{fmt.Sprintf("%s: ours %v, core %v", path, a, b)}
	}
	return nil
}

// ourPrinted is what our list, info and dump print for a decoded object:
// its JSON as output (redacted).
func ourPrinted(t *testing.T, typ *resource.Type, o resource.Object) []byte {
	t.Helper()
	w, err := resource.WrapObject(typ, o, resource.WrapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	spec := w.Spec
	if typ.Kind != "Namespace" && typ.Kind != "User" && typ.Kind != "TessenConfig" {
		spec["metadata"] = w.Metadata
	}
	b, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCoreDecodesAsOurs: every sample resource decodes to the same JSON
// through core/v2's types and ours, and both accept it.
func TestCoreDecodesAsOurs(t *testing.T) {
	docs := sampleDocs(t)
	kinds := map[string]int{}
	for _, d := range docs {
		ours, err := resource.Decode(d.json)
		if err != nil {
			t.Errorf("%s: ours refuses: %v", d.where, err)
			continue
		}
		if err := resource.Prepare(ours.Type, ours.Object, "default"); err != nil {
			t.Errorf("%s: ours refuses: %v", d.where, err)
			continue
		}
		typ, core, err := coreDecodeWrapped(t, d.json)
		if err != nil {
			t.Errorf("%s: core refuses: %v", d.where, err)
			continue
		}
		if err := core.(interface{ Validate() error }).Validate(); err != nil {
			t.Errorf("%s: core's Validate refuses: %v", d.where, err)
		}
		kinds[typ.Kind]++
		coreJSON := coreView(t, typ, core)
		oursJSON := ourPrinted(t, ours.Type, ours.Object)
		if diff := diffJSON(typ.Kind, canonical(t, oursJSON), canonical(t, coreJSON)); len(diff) > 0 {
			t.Errorf("%s: %s decodes differently:\n  %s", d.where, typ.Kind, strings.Join(diff, "\n  "))
		}
		// What we print goes back through core/v2 unchanged.
		again := typ.NewCore()
		if err := json.Unmarshal(oursJSON, again); err != nil {
			t.Errorf("%s: core cannot read what we print: %v", d.where, err)
			continue
		}
		if err := again.Validate(); err != nil {
			t.Errorf("%s: core's Validate refuses what we print: %v", d.where, err)
		}
		againJSON := coreView(t, typ, again)
		if diff := diffJSON(typ.Kind, canonical(t, oursJSON), canonical(t, againJSON)); len(diff) > 0 {
			t.Errorf("%s: what we print re-encodes differently through core:\n  %s", d.where, strings.Join(diff, "\n  "))
		}
	}
	for _, typ := range resource.All {
		if kinds[typ.Kind] == 0 {
			t.Errorf("no sample of %s: the differential test must cover all %d types", typ.Kind, len(resource.All))
		}
	}
	t.Logf("%d documents, by kind: %v", len(docs), kinds)
}

// coreView is core's JSON of a core value as Sensu Go's API returns it:
// a user's password and hash never leave the backend.
func coreView(t *testing.T, typ *resource.Type, core any) []byte {
	t.Helper()
	b, err := json.Marshal(core)
	if err != nil {
		t.Fatal(err)
	}
	if typ.Kind != "User" {
		return b
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "password")
	delete(m, "password_hash")
	out, _ := json.Marshal(m)
	return out
}

// TestCoreEmptyShapes: every type decoded from {} encodes to the same
// keys, nulls and empty values through core/v2 and ours, which covers the
// fields that no sample sets.
func TestCoreEmptyShapes(t *testing.T) {
	for _, typ := range resource.All {
		ours, err := resource.DecodeStored(typ, []byte("{}"))
		if err != nil {
			t.Fatal(err)
		}
		core := typ.NewCore()
		if err := json.Unmarshal([]byte("{}"), core); err != nil {
			t.Fatal(err)
		}
		oursJSON, err := resource.Encode(ours)
		if err != nil {
			t.Fatal(err)
		}
		coreJSON := coreView(t, typ, core)
		if diff := diffJSON(typ.Kind, canonical(t, oursJSON), canonical(t, coreJSON)); len(diff) > 0 {
			t.Errorf("%s from {}:\n  %s", typ.Kind, strings.Join(diff, "\n  "))
		}
	}
}

// TestCoreBareOutputs: the bare values Sensu Go prints with `<type> info`
// and `<type> list --format json` decode the same through core/v2 and
// ours, and we print them as Sensu Go does (redacted, no password).
func TestCoreBareOutputs(t *testing.T) {
	for _, tc := range []struct{ file, kind string }{
		{"../../testdata/sensu-go/check-list.json", "CheckConfig"},
		{"../../testdata/sensu-go/live-6.12/check-nginx.json", "CheckConfig"},
		{"../../testdata/sensu-go/live-6.12/entity-web-01.json", "Entity"},
		{"../../testdata/sensu-go/live-6.12/user-list.json", "User"},
		{"../../testdata/sensu-go/live-6.12/silenced-list.json", "Silenced"},
	} {
		data, err := os.ReadFile(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		var values []json.RawMessage
		if bytes.HasPrefix(bytes.TrimSpace(data), []byte("[")) {
			if err := json.Unmarshal(data, &values); err != nil {
				t.Fatal(err)
			}
		} else {
			values = []json.RawMessage{data}
		}
		typ, err := resource.Lookup(tc.kind)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range values {
			where := fmt.Sprintf("%s[%d]", filepath.Base(tc.file), i)
			ours, err := resource.DecodeStored(typ, v)
			if err != nil {
				t.Errorf("%s: ours refuses: %v", where, err)
				continue
			}
			core, err := resource.DecodeCore(typ, v)
			if err != nil {
				t.Errorf("%s: core refuses: %v", where, err)
				continue
			}
			if u, ok := ours.(*resource.User); ok {
				u.Password, u.PasswordHash = "", ""
			}
			oursJSON, err := json.Marshal(resource.Redacted(ours))
			if err != nil {
				t.Fatal(err)
			}
			coreJSON := coreView(t, typ, core)
			if diff := diffJSON(tc.kind, canonical(t, oursJSON), canonical(t, coreJSON)); len(diff) > 0 {
				t.Errorf("%s: %s\n  %s", where, tc.kind, strings.Join(diff, "\n  "))
			}
			if diff := diffJSON(tc.kind, canonical(t, oursJSON), canonical(t, v)); len(diff) > 0 {
				t.Errorf("%s: we print it differently from Sensu Go:\n  %s", where, strings.Join(diff, "\n  "))
			}
		}
	}
}

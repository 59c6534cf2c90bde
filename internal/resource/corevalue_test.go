package resource

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestCoreValueMatchesJSON holds coreValue, which builds core/v2's value
// field by field, equal to json.Unmarshal of our JSON into core/v2's type,
// on every event, check and entity of the samples.
func TestCoreValueMatchesJSON(t *testing.T) {
	n := 0
	// One scratch for every event, as the pool reuses them: nothing of an
	// earlier event may remain.
	scratch := new(eventScratch)
	for _, doc := range wrappedSamples(t) {
		d, err := Decode(doc)
		if err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		switch d.Type.Kind {
		case "Event", "CheckConfig", "Entity":
		default:
			continue
		}
		if err := Prepare(d.Type, d.Object, "default"); err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		fast, err := coreValue(d.Type, d.Object)
		if err != nil {
			t.Fatal(err)
		}
		slow, err := coreViaJSON(d.Type, d.Object)
		if err != nil {
			t.Fatal(err)
		}
		if e, ok := d.Object.(*Event); ok {
			if err := fillEvent(&scratch.event, &scratch.entity, &scratch.check, e); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(&scratch.event, slow) {
				fj, _ := json.Marshal(&scratch.event)
				sj, _ := json.Marshal(slow)
				t.Errorf("event %s in reused scratch space\n%s\nthrough JSON\n%s", d.Object.Meta().Name, fj, sj)
			}
		}
		if !reflect.DeepEqual(fast, slow) {
			fj, _ := json.Marshal(fast)
			sj, _ := json.Marshal(slow)
			t.Errorf("%s %s: field by field\n%s\nthrough JSON\n%s", d.Type.Kind, d.Object.Meta().Name, fj, sj)
		}
		n++
	}
	if n < 20 {
		t.Fatalf("only %d events, checks and entities compared", n)
	}
}

// wrappedSamples reads every wrapped document of the sample files (YAML or
// JSON) as JSON.
func wrappedSamples(t *testing.T) [][]byte {
	t.Helper()
	var out [][]byte
	for _, dir := range []string{"../../testdata/sensu-go", "../../testdata/sensu-go/live-6.12", "../../testdata/resources"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil || !(strings.HasSuffix(file, ".yaml") || strings.HasSuffix(file, ".json")) {
				continue
			}
			// Both decoders read a stream of documents.
			var dec interface{ Decode(any) error } = yaml.NewDecoder(bytes.NewReader(data))
			if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
				dec = json.NewDecoder(bytes.NewReader(data))
			}
			var docs []any
			for {
				var v any
				if err := dec.Decode(&v); errors.Is(err, io.EOF) {
					break
				} else if err != nil {
					t.Fatalf("%s: %v", file, err)
				}
				docs = append(docs, v)
			}
			for _, v := range docs {
				if m, ok := v.(map[string]any); ok && m["type"] != nil {
					b, err := json.Marshal(m)
					if err != nil {
						t.Fatalf("%s: %v", file, err)
					}
					out = append(out, b)
				}
			}
		}
	}
	return out
}

// TestCoreFieldsOfEventWithoutCheck: core/v2's EventFields panics on an
// event without a check; CoreFields says so as an error.
func TestCoreFieldsOfEventWithoutCheck(t *testing.T) {
	events, _ := Lookup("events")
	if _, err := CoreFields(events, []byte(`{"entity":{"metadata":{"name":"e"}}}`)); err == nil || !strings.Contains(err.Error(), "cannot compute the fields") {
		t.Errorf("CoreFields of an event without a check: %v, want an error", err)
	}
	checks, _ := Lookup("checks")
	fields, err := CoreFields(checks, []byte(`{"metadata":{"name":"c","labels":{"team":"web"}},"subscriptions":["linux","web"]}`))
	if err != nil || fields["check.name"] != "c" || fields["check.subscriptions"] != "linux,web" || fields["check.labels.team"] != "web" {
		t.Errorf("CoreFields of a check: %v, %v", fields, err)
	}
}

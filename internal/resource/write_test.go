package resource

import (
	"strings"
	"testing"
)

// TestDropOnWrite: a check's subdue and a filter's when are dropped with a
// warning, as Sensu Go's sensuctl create nulls them; one Sensu Go cannot
// read is refused, as Sensu Go refuses it.
func TestDropOnWrite(t *testing.T) {
	subdue := `{"days":{"all":[{"begin":"5:00 PM","end":"8:00 AM"}]}}`
	for _, tc := range []struct{ doc, warning, err string }{
		{`{"type":"CheckConfig","metadata":{"name":"a"},"spec":{"command":"x","interval":60,"subdue":` + subdue + `}}`, "spec.subdue: dropped", ""},
		{`{"type":"CheckConfig","metadata":{"name":"a"},"spec":{"command":"x","interval":60,"subdue":null}}`, "", ""},
		{`{"type":"EventFilter","metadata":{"name":"f"},"spec":{"action":"allow","expressions":["true"],"when":` + subdue + `}}`, "spec.when: dropped", ""},
		{`{"type":"CheckConfig","metadata":{"name":"a"},"spec":{"command":"x","interval":60,"subdue":"weekends"}}`, "", "spec.subdue"},
	} {
		d, err := Decode([]byte(tc.doc))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want one naming %s", tc.doc, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.doc, err)
		}
		warned := strings.Join(d.Warnings, "\n")
		if tc.warning == "" && warned != "" || !strings.Contains(warned, tc.warning) {
			t.Errorf("%s: warnings %q, want %q", tc.doc, warned, tc.warning)
		}
		b, _ := Encode(d.Object)
		if strings.Contains(string(b), "5:00 PM") {
			t.Errorf("%s: stored %s keeps the dropped field", tc.doc, b)
		}
	}
}

// TestSetCreatedBy: every type with metadata records its creator, except
// entities, for which Sensu Go 6.12 records none.
func TestSetCreatedBy(t *testing.T) {
	for _, typ := range All {
		o := typ.New()
		SetCreatedBy(o, "admin")
		b, _ := Encode(o)
		has := strings.Contains(string(b), `"created_by":"admin"`)
		want := typ.Kind != "Entity" && typ.Kind != "Namespace" && typ.Kind != "User" && typ.Kind != "TessenConfig"
		if has != want {
			t.Errorf("%s: created_by recorded %v, want %v (%s)", typ.Kind, has, want, b)
		}
	}
}

// TestRedacted: an entity's and an event's entity's secret labels and
// annotations read REDACTED in what is printed, by Redacted (list, info)
// and by Wrap (dump), unless secrets are asked for; the object itself and
// what is stored keep the values.
func TestRedacted(t *testing.T) {
	entity := func() *Entity {
		return &Entity{EntityClass: "agent", Redact: []string{"token"},
			withMeta: withMeta{ObjectMeta{Name: "web-01", Namespace: "default",
				Labels: map[string]string{"Token": "t0k", "env": "prod"}, Annotations: map[string]string{"api_key": "k3y"}}}}
	}
	e := entity()
	r := Redacted(e).(*Entity)
	// Only "token" is in redact: api_key is not redacted once redact is set.
	if r.Metadata.Labels["Token"] != "REDACTED" || r.Metadata.Labels["env"] != "prod" || r.Metadata.Annotations["api_key"] != "k3y" {
		t.Errorf("redacted entity: labels %v annotations %v", r.Metadata.Labels, r.Metadata.Annotations)
	}
	if e.Metadata.Labels["Token"] != "t0k" {
		t.Errorf("Redacted changed the entity it was given: %v", e.Metadata.Labels)
	}
	// An empty redact means core/v2's default list.
	d := entity()
	d.Redact = nil
	if r := Redacted(d).(*Entity); r.Metadata.Annotations["api_key"] != "REDACTED" || r.Metadata.Labels["Token"] != "t0k" {
		t.Errorf("default list: labels %v annotations %v", r.Metadata.Labels, r.Metadata.Annotations)
	}
	ev := &Event{Entity: d, Check: &Check{withMeta: withMeta{ObjectMeta{Name: "c"}}}}
	if r := Redacted(ev).(*Event); r.Entity.Metadata.Annotations["api_key"] != "REDACTED" || ev.Entity.Metadata.Annotations["api_key"] != "k3y" {
		t.Errorf("event: printed %v, kept %v", r.Entity.Metadata.Annotations, ev.Entity.Metadata.Annotations)
	}
	stored, _ := Encode(ev)
	for _, include := range []bool{false, true} {
		w, err := Wrap(mustLookup("events"), stored, WrapOptions{IncludeSecrets: include})
		if err != nil {
			t.Fatal(err)
		}
		got := w.Spec["entity"].(map[string]any)["metadata"].(map[string]any)["annotations"].(map[string]any)["api_key"]
		if want := map[bool]string{false: "REDACTED", true: "k3y"}[include]; got != want {
			t.Errorf("Wrap of an event, include secrets %v: api_key %v, want %v", include, got, want)
		}
	}
	storedEntity, _ := Encode(d)
	w, err := Wrap(mustLookup("entities"), storedEntity, WrapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if w.Metadata.Annotations["api_key"] != "REDACTED" {
		t.Errorf("Wrap of an entity: annotations %v", w.Metadata.Annotations)
	}
}

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

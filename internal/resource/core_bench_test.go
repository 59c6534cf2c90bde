package resource

import (
	"encoding/json"
	"os"
	"testing"
)

// BenchmarkValidateWithCore is the cost core/v2's validation adds to each
// write (our JSON read into core's type, then its Validate), on a real
// Sensu Go check and an event shaped like a migrated one.
func BenchmarkValidateWithCore(b *testing.B) {
	for _, tc := range []struct{ name, file, kind string }{
		{"event", "", "Event"},
		{"check", "../../testdata/sensu-go/live-6.12/check-nginx.json", "CheckConfig"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			typ, _ := Lookup(tc.kind)
			o := typ.New()
			if tc.kind == "Event" {
				o = &Event{Entity: &Entity{EntityClass: "proxy", withMeta: withMeta{ObjectMeta{Name: "db-01", Namespace: "default"}}},
					Check: &Check{CheckSpec: CheckSpec{Interval: 60, Handlers: []string{"slack"}}, withMeta: withMeta{ObjectMeta{Name: "check-mysql", Namespace: "default"}},
						Output: "mysql down", Status: 2, History: make([]CheckHistory, 21)}, Metadata: ObjectMeta{Namespace: "default"}}
			} else {
				data, err := os.ReadFile(tc.file)
				if err != nil {
					b.Fatal(err)
				}
				if err := json.Unmarshal(data, o); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := validateWithCore(typ, o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

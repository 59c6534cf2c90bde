package sensu1token

import (
	"fmt"
	"slices"
	"strings"
)

// Skipped is a custom attribute of a client that Flatten did not turn into a
// label, with the reason.
type Skipped struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// excluded are the client settings that are no custom attributes: they map to
// entity fields or have no Sensu Go equivalent. name is among them but is
// handled on its own by Translate (it is the entity's name).
var excluded = map[string]bool{
	"name": true, "subscriptions": true, "redact": true, "version": true,
	"timestamp": true, "signature": true, "type": true, "keepalive": true,
	"keepalives": true, "registration": true, "deregistration": true,
	"deregister": true, "socket": true, "http_socket": true, "safe_mode": true,
}

// Reasons given in Skipped.
const (
	reasonNull     = "null: 1.x treats it as unset (a token naming it gets its default)"
	reasonArray    = "array: not a label (a 1.x token naming it gave the array's Ruby inspect string)"
	reasonEmptyMap = "empty object: no scalar leaves"
	reasonDotKey   = `key contains ".": a 1.x token cannot name it, and as a label key it would read as a nested path`
	reasonEmptyKey = "empty key: a 1.x token cannot name it through a label"
)

// Flatten returns the labels of a client: every scalar leaf of the client
// definition (the 1.x "client" scope) under its dotted path, valued as 1.x's
// to_s would print it. The client settings that are no custom attributes
// (see the package documentation) are left out silently; every other value
// that gives no label is returned in skipped, in path order.
func Flatten(client map[string]any) (labels map[string]string, skipped []Skipped) {
	labels = map[string]string{}
	for _, k := range sortedKeys(client) {
		if excluded[k] {
			continue
		}
		flattenValue(k, k, client[k], labels, &skipped)
	}
	return labels, skipped
}

func flattenValue(path, key string, v any, labels map[string]string, skipped *[]Skipped) {
	switch {
	case key == "":
		*skipped = append(*skipped, Skipped{path, reasonEmptyKey})
		return
	case strings.Contains(key, "."):
		*skipped = append(*skipped, Skipped{path, reasonDotKey})
		return
	}
	v = normalize(v)
	switch v := v.(type) {
	case nil:
		*skipped = append(*skipped, Skipped{path, reasonNull})
	case []any:
		*skipped = append(*skipped, Skipped{path, reasonArray})
	case map[string]any:
		if len(v) == 0 {
			*skipped = append(*skipped, Skipped{path, reasonEmptyMap})
			return
		}
		for _, k := range sortedKeys(v) {
			flattenValue(path+"."+k, k, v[k], labels, skipped)
		}
	default:
		s, ok := rubyToS(v)
		if !ok {
			*skipped = append(*skipped, Skipped{path, fmt.Sprintf("unsupported value of type %T", v)})
			return
		}
		labels[path] = s
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

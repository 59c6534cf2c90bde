package sensu1token

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/template"

	"github.com/sensu-etcd/sensu/internal/resource"
)

// ErrUnmatched is returned by Render when a token has no value, which the
// Sensu Go agent reports as an unmatched token (and does not run the check).
var ErrUnmatched = errors.New("unmatched token")

// Render renders a translated string against an entity's data as the Sensu
// Go agent does: text/template with the "default" function, then any
// "<no value>" in the output is an unmatched token (ErrUnmatched). entity is
// the entity synthesized as Sensu Go does, metadata fields at the top level
// (see EntityData); maps of any value type are accepted.
func Render(tmpl string, entity map[string]any) (string, error) {
	t, err := template.New("").Funcs(template.FuncMap{"default": defaultValue}).Parse(tmpl)
	if err != nil {
		return "", fmt.Errorf("parse template %q: %w", tmpl, err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, synthesize(entity)); err != nil {
		return "", fmt.Errorf("render template %q: %w", tmpl, err)
	}
	out := buf.String()
	if strings.Contains(out, "<no value>") {
		return "", fmt.Errorf("render template %q: %w (a value is missing and has no default)", tmpl, ErrUnmatched)
	}
	return out, nil
}

// defaultValue is the agent's "default" (sensu-go agent
// token_substitution.go, defaultFunc): the value, unless it is missing (nil),
// then the default. An empty string is a value, as in 1.x.
func defaultValue(v ...any) any {
	switch len(v) {
	case 1:
		return v[0]
	case 2:
		if v[1] == nil {
			return v[0]
		}
		return v[1]
	}
	return nil
}

// synthesize turns every map with string keys into map[string]any and every
// slice into []any, as Sensu Go's dynamic.Synthesize does: a missing label
// is then nil (printed "<no value>", replaced by default) rather than "".
func synthesize(v any) any {
	switch v := normalize(v).(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = synthesize(e)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, e := range v {
			s[i] = synthesize(e)
		}
		return s
	default:
		return v // json.Number prints as written
	}
}

// EntityData is an entity as the Sensu Go agent hands it to templates: its
// JSON fields, with the metadata fields (name, namespace, labels,
// annotations, created_by) lifted to the top level and numbers kept exact.
func EntityData(e *resource.Entity) (map[string]any, error) {
	raw, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("entity %q: %w", e.Metadata.Name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var data map[string]any
	if err := dec.Decode(&data); err != nil {
		return nil, fmt.Errorf("entity %q: %w", e.Metadata.Name, err)
	}
	meta, _ := data["metadata"].(map[string]any)
	delete(data, "metadata")
	for k, v := range meta {
		data[k] = v
	}
	if _, ok := data["labels"]; !ok {
		data["labels"] = map[string]any{}
	}
	if _, ok := data["annotations"]; !ok {
		data["annotations"] = map[string]any{}
	}
	return data, nil
}

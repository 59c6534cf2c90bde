package resource

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// rawWrapped is the wrapped format as read: unknown keys are errors.
// Metadata is decoded on its own so that an unknown key in it is named
// metadata.<key> (encoding/json names only the key).
type rawWrapped struct {
	Type       string          `json:"type"`
	APIVersion string          `json:"api_version"`
	Metadata   json.RawMessage `json:"metadata"`
	Spec       json.RawMessage `json:"spec"`
}

// Decoded is one wrapped document, decoded but not yet validated.
type Decoded struct {
	Type   *Type
	Object Object
	// Warnings are about input that was ignored, such as unknown spec fields.
	Warnings []string
}

// Decode reads one wrapped document (a JSON object). Unknown top-level or
// metadata keys are errors; unknown spec fields are warnings. A missing
// api_version means core/v2. Errors are *FieldError where a field is known.
func Decode(doc []byte) (Decoded, error) {
	var w rawWrapped
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return Decoded{}, jsonFieldError("", err)
	}
	var outer ObjectMeta
	if md := bytes.TrimSpace(w.Metadata); len(md) > 0 && !bytes.Equal(md, []byte("null")) {
		mdec := json.NewDecoder(bytes.NewReader(md))
		mdec.DisallowUnknownFields()
		if err := mdec.Decode(&outer); err != nil {
			return Decoded{}, jsonFieldError("metadata", err)
		}
	}
	if w.Type == "" {
		return Decoded{}, fieldErr("type", "is missing")
	}
	t, err := LookupKind(w.APIVersion, w.Type)
	if err != nil {
		return Decoded{}, &FieldError{Field: "type", Msg: err.Error()}
	}
	spec := bytes.TrimSpace(w.Spec)
	if len(spec) == 0 || bytes.Equal(spec, []byte("null")) {
		return Decoded{}, fieldErr("spec", "no spec provided")
	}
	if spec[0] != '{' {
		return Decoded{}, fieldErr("spec", "must be a mapping of the %s fields", t.Kind)
	}
	d := Decoded{Type: t, Object: t.New()}
	strict := json.NewDecoder(bytes.NewReader(spec))
	strict.DisallowUnknownFields()
	if err := strict.Decode(d.Object); err != nil {
		field, unknown := unknownField(err)
		if !unknown {
			return Decoded{}, jsonFieldError("spec", err)
		}
		d.Warnings = append(d.Warnings, fmt.Sprintf("spec.%s: unknown field, ignored", field))
		d.Object = t.New()
		if err := json.Unmarshal(spec, d.Object); err != nil {
			return Decoded{}, jsonFieldError("spec", err)
		}
	}
	if err := d.Object.setMeta(outer); err != nil {
		return Decoded{}, err
	}
	if name := d.Object.Meta().Name; t.Kind == "Silenced" && outer.Name != "" && outer.Name != name {
		d.Warnings = append(d.Warnings, fmt.Sprintf("metadata.name: %q replaced by %q (a silence is named subscription:check, as Sensu Go names it)", outer.Name, name))
	}
	setDefaults(d.Object)
	dropped, err := dropOnWrite(d.Object)
	if err != nil {
		return Decoded{}, err
	}
	d.Warnings = append(d.Warnings, dropped...)
	return d, nil
}

// unknownField recognises encoding/json's DisallowUnknownFields error.
func unknownField(err error) (string, bool) {
	msg := err.Error()
	const p = `json: unknown field "`
	if !strings.HasPrefix(msg, p) {
		return "", false
	}
	return strings.TrimSuffix(strings.TrimPrefix(msg, p), `"`), true
}

// jsonFieldError turns encoding/json errors into a FieldError under prefix.
func jsonFieldError(prefix string, err error) error {
	join := func(f string) string {
		switch {
		case prefix == "":
			return f
		case f == "":
			return prefix
		}
		return prefix + "." + f
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fieldErr(join(jsonPath(te.Field)), "must be %s, not %s", jsonTypeName(te.Type.Kind().String()), withArticle(te.Value))
	}
	if field, ok := unknownField(err); ok {
		where := "a wrapped resource has only type, api_version, metadata and spec"
		if prefix != "" {
			where = "unknown field"
		}
		return fieldErr(join(field), "%s", where)
	}
	if strings.HasPrefix(err.Error(), `json: unknown field`) {
		return fieldErr(prefix, "%v", err)
	}
	return &FieldError{Field: join(""), Msg: strings.TrimPrefix(err.Error(), "json: ")}
}

// embeddedStructs are the Go names of the structs embedded in the resource
// types, which encoding/json puts in the field path of a type error
// ("check.CheckSpec.interval") although they are not JSON keys.
var embeddedStructs = map[string]bool{"CheckSpec": true, "withMeta": true}

// jsonPath drops embedded struct names from an encoding/json field path.
func jsonPath(field string) string {
	parts := strings.Split(field, ".")
	out := parts[:0]
	for _, p := range parts {
		if !embeddedStructs[p] {
			out = append(out, p)
		}
	}
	return strings.Join(out, ".")
}

// withArticle turns encoding/json's value description ("array", "number
// 1.5") into a phrase.
func withArticle(v string) string {
	if v != "" && strings.ContainsRune("aeiou", rune(v[0])) {
		return "an " + v
	}
	return "a " + v
}

func jsonTypeName(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"):
		return "a whole number"
	case strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "slice":
		return "a list"
	case kind == "map", kind == "struct", kind == "ptr":
		return "a mapping"
	case kind == "bool":
		return "true or false"
	}
	return "a " + kind
}

// Prepare finishes a decoded object: a namespaced object without a
// namespace gets defaultNamespace (as sensuctl's --namespace does), then it
// is validated.
func Prepare(t *Type, o Object, defaultNamespace string) error {
	if t.Namespaced && o.Meta().Namespace == "" {
		o.setNamespace(defaultNamespace)
	}
	if !t.Namespaced && o.Meta().Namespace != "" {
		return fieldErr("metadata.namespace", "%s is cluster-wide and has no namespace (found %q)", t.Kind, o.Meta().Namespace)
	}
	setDefaults(o)
	if err := o.Validate(); err != nil {
		return err
	}
	return validateWithCore(t, o)
}

// Wrapped is a resource in the wrapped format, ready to print. Marshalled as
// JSON the spec keys come out sorted, like Sensu Go's.
type Wrapped struct {
	Type       string         `json:"type"`
	APIVersion string         `json:"api_version"`
	Metadata   ObjectMeta     `json:"metadata"`
	Spec       map[string]any `json:"spec"`
}

// WrapOptions control what Wrap leaves out.
type WrapOptions struct {
	// IncludeSecrets keeps user password hashes and the values of entities'
	// redacted labels and annotations.
	IncludeSecrets bool
}

// Wrap turns a stored value of type t into its wrapped form. Numbers keep
// their exact JSON text.
func Wrap(t *Type, value []byte, opts WrapOptions) (*Wrapped, error) {
	dec := json.NewDecoder(bytes.NewReader(value))
	dec.UseNumber()
	var top map[string]any
	if err := dec.Decode(&top); err != nil || top == nil {
		return nil, fmt.Errorf("stored %s is not a JSON object: %v", t.Kind, err)
	}
	w := &Wrapped{Type: t.Kind, APIVersion: t.APIVersion, Spec: top}
	if md, ok := top["metadata"].(map[string]any); ok && t.Kind != "Event" {
		w.Metadata = metaFromMap(md)
	} else {
		o := t.New()
		if err := json.Unmarshal(value, o); err != nil {
			return nil, fmt.Errorf("stored %s: %w", t.Kind, err)
		}
		w.Metadata = o.Meta()
	}
	delete(top, "metadata")
	if !opts.IncludeSecrets {
		redactWrapped(t.Kind, &w.Metadata, top)
	}
	if t.Kind == "User" {
		delete(top, "password")
		if !opts.IncludeSecrets {
			delete(top, "password_hash")
		}
	}
	return w, nil
}

func metaFromMap(m map[string]any) ObjectMeta {
	str := func(k string) string { s, _ := m[k].(string); return s }
	strs := func(k string) map[string]string {
		in, ok := m[k].(map[string]any)
		if !ok || len(in) == 0 {
			return nil
		}
		out := make(map[string]string, len(in))
		for k, v := range in {
			out[k], _ = v.(string)
		}
		return out
	}
	return ObjectMeta{Name: str("name"), Namespace: str("namespace"), Labels: strs("labels"), Annotations: strs("annotations"), CreatedBy: str("created_by")}
}

// WrapObject wraps a decoded object.
func WrapObject(t *Type, o Object, opts WrapOptions) (*Wrapped, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	return Wrap(t, b, opts)
}

// Encode is the stored form of an object: its JSON.
func Encode(o Object) ([]byte, error) { return json.Marshal(o) }

// Encoder encodes objects as Encode does, and each entity that several
// events share only once: the events of a migrated client carry the same
// *Entity, about a third of each event's bytes. The entities must not
// change while an Encoder is in use.
type Encoder struct{ entities map[*Entity][]byte }

// NewEncoder returns an Encoder with no entity known.
func NewEncoder() *Encoder { return &Encoder{entities: map[*Entity][]byte{}} }

// eventTail is an Event's fields after "entity", in Event's order
// (TestEncoderMatchesEncode keeps the two in step).
type eventTail struct {
	Check     *Check              `json:"check,omitempty"`
	Metrics   json.RawMessage     `json:"metrics,omitempty"`
	Metadata  ObjectMeta          `json:"metadata"`
	ID        EventID             `json:"id"`
	Sequence  int64               `json:"sequence"`
	Pipelines []ResourceReference `json:"pipelines"`
}

// Encode returns the same bytes as the package's Encode.
func (enc *Encoder) Encode(o Object) ([]byte, error) {
	switch v := o.(type) {
	case *Entity:
		b, err := json.Marshal(v)
		if err == nil {
			enc.entities[v] = b
		}
		return b, err
	case *Event:
		if v.Entity == nil {
			break
		}
		entity, ok := enc.entities[v.Entity]
		if !ok {
			var err error
			if entity, err = json.Marshal(v.Entity); err != nil {
				return nil, err
			}
			enc.entities[v.Entity] = entity
		}
		tail, err := json.Marshal(eventTail{Check: v.Check, Metrics: v.Metrics, Metadata: v.Metadata, ID: v.ID,
			Sequence: v.Sequence, Pipelines: v.Pipelines})
		if err != nil {
			return nil, err
		}
		b := make([]byte, 0, len(`{"timestamp":-9223372036854775808,"entity":,`)+len(entity)+len(tail)-1)
		b = append(b, '{')
		if v.Timestamp != 0 {
			b = append(strconv.AppendInt(append(b, `"timestamp":`...), v.Timestamp, 10), ',')
		}
		b = append(append(append(b, `"entity":`...), entity...), ',')
		return append(b, tail[1:]...), nil
	}
	return json.Marshal(o)
}

// DecodeStored reads a stored value of type t.
func DecodeStored(t *Type, value []byte) (Object, error) {
	o := t.New()
	if err := json.Unmarshal(value, o); err != nil {
		return nil, fmt.Errorf("stored %s is not valid: %w", t.Kind, err)
	}
	setDefaults(o)
	return o, nil
}

// StoreName is the last part of o's key: its name, or entity/check for an
// event.
func StoreName(o Object) string { return o.storeName() }

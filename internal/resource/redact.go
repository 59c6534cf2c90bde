package resource

import (
	"sort"

	corev2 "github.com/sensu/core/v2"
)

// Entities name the labels and annotations that hold secrets in redact
// (core/v2's DefaultRedactFields when empty). Sensu Go never shows their
// values: core/v2's Entity.MarshalJSON prints REDACTED instead, on entities
// and on the entities of events. Every output of ours does the same unless
// secrets are asked for; the store keeps the real values.

// redactMeta returns labels and annotations as Sensu Go shows them. It
// calls core/v2 itself, whose key matching (case and punctuation ignored,
// so API-Key matches api_key) is the definition. The maps given are not
// changed.
func redactMeta(labels, annotations map[string]string, redact []string) (map[string]string, map[string]string) {
	if len(labels) == 0 && len(annotations) == 0 {
		return labels, annotations
	}
	e := &corev2.Entity{ObjectMeta: corev2.ObjectMeta{Labels: labels, Annotations: annotations}, Redact: redact}
	r := e.GetRedactedEntity()
	return nilIfEmpty(r.Labels), nilIfEmpty(r.Annotations)
}

func nilIfEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

// Redacted returns o as Sensu Go shows it: an entity, or an event's entity,
// with the values of its secret labels and annotations replaced by
// REDACTED. Other objects are returned as they are; o is not changed.
func Redacted(o Object) Object {
	switch v := o.(type) {
	case *Entity:
		return redactedEntity(v)
	case *Event:
		if v.Entity == nil {
			return v
		}
		ev := *v
		ev.Entity = redactedEntity(v.Entity)
		return &ev
	}
	return o
}

func redactedEntity(e *Entity) *Entity {
	c := *e
	c.Metadata.Labels, c.Metadata.Annotations = redactMeta(e.Metadata.Labels, e.Metadata.Annotations, e.Redact)
	return &c
}

// redactWrapped applies Redacted to a wrapped value decoded into plain maps
// (Wrap's form): meta is the entity's metadata (nil for an event), spec the
// rest of it.
func redactWrapped(kind string, meta *ObjectMeta, spec map[string]any) {
	switch kind {
	case "Entity":
		meta.Labels, meta.Annotations = redactMeta(meta.Labels, meta.Annotations, stringList(spec["redact"]))
	case "Event":
		entity, ok := spec["entity"].(map[string]any)
		if !ok {
			return
		}
		md, ok := entity["metadata"].(map[string]any)
		if !ok {
			return
		}
		m := metaFromMap(md)
		labels, annotations := redactMeta(m.Labels, m.Annotations, stringList(entity["redact"]))
		for key, values := range map[string]map[string]string{"labels": labels, "annotations": annotations} {
			if values == nil {
				continue
			}
			out := make(map[string]any, len(values))
			for k, v := range values {
				out[k] = v
			}
			md[key] = out
		}
	}
}

func stringList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// KeepRedacted puts back, in an entity about to be written, the stored
// values of secret labels and annotations that read REDACTED: a dump made
// without --include-secrets (ours, or any of Sensu Go's) holds REDACTED in
// their place, and restoring it must not overwrite the real values. prev
// is the stored entity. It reports the keys it could not put back (no
// stored value): they are written as REDACTED.
func KeepRedacted(e, prev *Entity) (lost []string) {
	keep := func(kind string, m map[string]string, old map[string]string) {
		for k, v := range m {
			if v != corev2.Redacted || !isRedacted(k, e.Redact) {
				continue
			}
			if ov, ok := old[k]; ok && ov != corev2.Redacted {
				m[k] = ov
				continue
			}
			lost = append(lost, kind+"."+k)
		}
	}
	var oldLabels, oldAnnotations map[string]string
	if prev != nil {
		oldLabels, oldAnnotations = prev.Metadata.Labels, prev.Metadata.Annotations
	}
	keep("labels", e.Metadata.Labels, oldLabels)
	keep("annotations", e.Metadata.Annotations, oldAnnotations)
	sort.Strings(lost)
	return lost
}

// isRedacted asks core/v2 whether key is one of the redacted ones.
func isRedacted(key string, redact []string) bool {
	labels, _ := redactMeta(map[string]string{key: "x"}, nil, redact)
	return labels[key] == corev2.Redacted
}

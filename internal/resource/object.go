package resource

// Object is one resource value: what is stored (as JSON) under its key.
type Object interface {
	// Meta returns the metadata shown in the wrapped form.
	Meta() ObjectMeta
	// Validate reports the first invalid field.
	Validate() error
	// storeName is the last part of the key: the name, or entity/check
	// for an event.
	storeName() string
	// setMeta merges the wrapper's outer metadata in.
	setMeta(outer ObjectMeta) error
	// setNamespace sets the namespace of a namespaced resource.
	setNamespace(ns string)
}

// withMeta is embedded by every type that has core/v2 ObjectMeta.
type withMeta struct {
	Metadata ObjectMeta `json:"metadata"`
}

func (w *withMeta) Meta() ObjectMeta               { return w.Metadata }
func (w *withMeta) storeName() string              { return w.Metadata.Name }
func (w *withMeta) setMeta(outer ObjectMeta) error { w.Metadata.merge(outer); return nil }
func (w *withMeta) setNamespace(ns string)         { w.Metadata.Namespace = ns }

// nameOnly is the shared metadata handling of the types that keep their
// name in the spec (Namespace.name, User.username) and have no ObjectMeta.
func mergeSpecName(specName *string, specField string, outer ObjectMeta) error {
	switch {
	case outer.Name == "":
	case *specName == "":
		*specName = outer.Name
	case *specName != outer.Name:
		return fieldErr("metadata.name", "%q differs from %s %q", outer.Name, specField, *specName)
	}
	return nil
}

// SetLabel sets a label on an object that has ObjectMeta.
func SetLabel(o Object, key, value string) {
	type labelled interface{ labels() *map[string]string }
	if l, ok := o.(labelled); ok {
		m := l.labels()
		if *m == nil {
			*m = map[string]string{}
		}
		(*m)[key] = value
	}
}

func (w *withMeta) labels() *map[string]string { return &w.Metadata.Labels }

// defaulter is a type that fills in what core/v2 writes for unset fields;
// decoding and Prepare call it, so that what we store and print is what
// Sensu Go would.
type defaulter interface{ setDefaults() }

func setDefaults(o Object) {
	if d, ok := o.(defaulter); ok {
		d.setDefaults()
	}
}

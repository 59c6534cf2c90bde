package resource

import (
	"encoding/json"
	"fmt"

	corev2 "github.com/sensu/core/v2"
)

// Sensu Go 6.12's own types (github.com/sensu/core/v2) define what a
// resource's JSON means and which values are valid. Our types are a faster
// copy of theirs for the bulk paths (decode, encode, dump); the functions
// here take a resource through core's types, so that validation, field
// selectors and the differential tests use Sensu's definitions.

// coreTypes builds an empty core/v2 value for each of our kinds.
var coreTypes = map[string]func() corev2.Resource{
	"Namespace":          func() corev2.Resource { return &corev2.Namespace{} },
	"ClusterRole":        func() corev2.Resource { return &corev2.ClusterRole{} },
	"ClusterRoleBinding": func() corev2.Resource { return &corev2.ClusterRoleBinding{} },
	"User":               func() corev2.Resource { return &corev2.User{} },
	"APIKey":             func() corev2.Resource { return &corev2.APIKey{} },
	"TessenConfig":       func() corev2.Resource { return &corev2.TessenConfig{} },
	"Asset":              func() corev2.Resource { return &corev2.Asset{} },
	"CheckConfig":        func() corev2.Resource { return &corev2.CheckConfig{} },
	"Entity":             func() corev2.Resource { return &corev2.Entity{} },
	"Event":              func() corev2.Resource { return &corev2.Event{} },
	"EventFilter":        func() corev2.Resource { return &corev2.EventFilter{} },
	"Handler":            func() corev2.Resource { return &corev2.Handler{} },
	"HookConfig":         func() corev2.Resource { return &corev2.HookConfig{} },
	"Mutator":            func() corev2.Resource { return &corev2.Mutator{} },
	"Pipeline":           func() corev2.Resource { return &corev2.Pipeline{} },
	"Role":               func() corev2.Resource { return &corev2.Role{} },
	"RoleBinding":        func() corev2.Resource { return &corev2.RoleBinding{} },
	"Silenced":           func() corev2.Resource { return &corev2.Silenced{} },
}

// NewCore returns an empty value of Sensu Go's own core/v2 type for t.
func (t *Type) NewCore() corev2.Resource { return coreTypes[t.Kind]() }

// DecodeCore reads a stored value (our JSON, which is core/v2's JSON) into
// Sensu Go's own type.
func DecodeCore(t *Type, value []byte) (corev2.Resource, error) {
	r := t.NewCore()
	if err := json.Unmarshal(value, r); err != nil {
		return nil, fmt.Errorf("%s as Sensu Go reads it: %w", t.Kind, err)
	}
	return r, nil
}

// CoreFields are the fields Sensu Go's --field-selector matches for a stored
// value of type t, as core/v2's <Kind>Fields functions compute them
// (check.name, entity.entity_class, event.check.status, ...). Types without
// such a function (TessenConfig) have none. core/v2 panics on an event
// without a check or an entity; that is an error here.
func CoreFields(t *Type, value []byte) (fields map[string]string, err error) {
	defer func() {
		if r := recover(); r != nil {
			fields, err = nil, fmt.Errorf("Sensu Go cannot compute the fields of this %s: %v", t.Kind, r)
		}
	}()
	r, err := DecodeCore(t, value)
	if err != nil {
		return nil, err
	}
	if f, ok := r.(corev2.Fielder); ok {
		return f.Fields(), nil
	}
	return map[string]string{}, nil
}

// validateWithCore decides as Sensu Go does: o's JSON read into core/v2's
// type and checked by its Validate. Our own checks run first and name the
// field; this one catches what they do not cover (JavaScript expressions
// of filters, assets and proxy requests, metric thresholds, subdues, ...).
func validateWithCore(t *Type, o Object) error {
	if e, ok := o.(*Event); ok {
		return validateEventWithCore(e)
	}
	r, err := coreValue(t, o)
	if err != nil {
		return err
	}
	return coreValidate(r)
}

// coreValidate runs r's Validate. core/v2 panics on some shapes it
// decodes (a null entry in an asset's builds); Sensu Go's API then fails
// the request, and we refuse the resource.
func coreValidate(r corev2.Resource) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &FieldError{Field: "spec", Msg: fmt.Sprintf("Sensu Go's validation fails on it (%v): look for a null entry in a list", p)}
		}
	}()
	if err := r.Validate(); err != nil {
		return &FieldError{Field: "spec", Msg: fmt.Sprintf("%v (Sensu Go's validation)", err)}
	}
	return nil
}

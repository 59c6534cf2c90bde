// Package resource holds the Sensu core/v2 resource types, their validation,
// the registry that names them, the etcd key layout and the wrapped
// type/api_version/metadata/spec format that Sensu Go's sensuctl dump and
// create use. It does no I/O.
package resource

import (
	"fmt"
	"maps"
	"regexp"
	"strings"
)

// ObjectMeta is the metadata every resource carries. The JSON field names
// and order are those of Sensu Go's core/v2 ObjectMeta.
type ObjectMeta struct {
	Name        string            `json:"name,omitempty"`
	Namespace   string            `json:"namespace,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	CreatedBy   string            `json:"created_by,omitempty"`
}

// ManagedByLabel is stamped by `sensuctl create`, as Sensu Go does.
const ManagedByLabel = "sensu.io/managed_by"

// merge folds the wrapper's outer metadata into m: outer name, namespace and
// created_by win when set; labels and annotations are unioned, outer last.
func (m *ObjectMeta) merge(outer ObjectMeta) {
	if outer.Name != "" {
		m.Name = outer.Name
	}
	if outer.Namespace != "" {
		m.Namespace = outer.Namespace
	}
	if outer.CreatedBy != "" {
		m.CreatedBy = outer.CreatedBy
	}
	m.Labels = union(m.Labels, outer.Labels)
	m.Annotations = union(m.Annotations, outer.Annotations)
}

func union(a, b map[string]string) map[string]string {
	if len(b) == 0 {
		return a
	}
	out := make(map[string]string, len(a)+len(b))
	maps.Copy(out, a)
	maps.Copy(out, b)
	return out
}

// Name rules, as in Sensu Go.
var (
	nameRE         = regexp.MustCompile(`\A[\w.\-:]+\z`)
	strictNameRE   = regexp.MustCompile(`\A[a-z0-9_.\-]+\z`)
	subscriptionRE = regexp.MustCompile(`\A[\w.\-]+(:?[\w.\-]+)?\z`)
	assetNameRE    = regexp.MustCompile(`\A[\w/.\-:]+\z`)
)

// FieldError says which field of a resource is wrong and why. Field is a
// dotted path in the wrapped form, e.g. "spec.interval" or "metadata.name".
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return e.Field + ": " + e.Msg
}

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// MaxNameBytes is the longest name accepted. core/v2 sets no limit; ours
// keeps keys and error messages readable (Sensu Go's HTTP API refuses a
// request line over 1 MiB, so its names are bounded too).
const MaxNameBytes = 1024

func checkName(field, v string, re *regexp.Regexp) error {
	if v == "" {
		return fieldErr(field, "must not be empty")
	}
	if len(v) > MaxNameBytes {
		return fieldErr(field, "%s is %d bytes long: a name is at most %d", short(v), len(v), MaxNameBytes)
	}
	if !re.MatchString(v) {
		return fieldErr(field, "%q cannot contain spaces or special characters", v)
	}
	return nil
}

// short quotes the start of a long value, for messages.
func short(v string) string {
	if len(v) <= 40 {
		return fmt.Sprintf("%q", v)
	}
	return fmt.Sprintf("%q…", v[:40])
}

func validName(v string) error { return checkName("metadata.name", v, nameRE) }

func needNamespace(m ObjectMeta) error {
	if m.Namespace == "" {
		return fieldErr("metadata.namespace", "must not be empty")
	}
	return checkName("metadata.namespace", m.Namespace, nameRE)
}

// validMeta checks the name and namespace of a namespaced resource.
func validMeta(m ObjectMeta) error {
	if err := validName(m.Name); err != nil {
		return err
	}
	return needNamespace(m)
}

func validAssets(field string, names []string) error {
	for i, a := range names {
		if err := checkName(fmt.Sprintf("%s[%d]", field, i), a, assetNameRE); err != nil {
			return err
		}
	}
	return nil
}

func validEnvVars(field string, vars []string) error {
	for i, v := range vars {
		k, _, ok := strings.Cut(v, "=")
		if !ok || k == "" {
			return fieldErr(fmt.Sprintf("%s[%d]", field, i), "%q is not KEY=VALUE", v)
		}
	}
	return nil
}

func oneOf(field, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return fieldErr(field, "%q is not one of %v", v, allowed)
}

package resource

import (
	"fmt"
	"slices"
	"strings"
)

// Namespace is core/v2 Namespace: a name and nothing else.
type Namespace struct {
	Name string `json:"name,omitempty"`
}

func (n *Namespace) Meta() ObjectMeta  { return ObjectMeta{Name: n.Name} }
func (n *Namespace) storeName() string { return n.Name }
func (n *Namespace) setMeta(outer ObjectMeta) error {
	return mergeSpecName(&n.Name, "spec.name", outer)
}
func (n *Namespace) setNamespace(string) {}
func (n *Namespace) Validate() error     { return checkName("spec.name", n.Name, nameRE) }

// User is core/v2 User. Password is only ever input: the store keeps the
// bcrypt PasswordHash.
type User struct {
	Username     string   `json:"username,omitempty"`
	Password     string   `json:"password,omitempty"`
	Groups       []string `json:"groups,omitempty"`
	Disabled     bool     `json:"disabled"`
	PasswordHash string   `json:"password_hash,omitempty"`
}

func (u *User) Meta() ObjectMeta  { return ObjectMeta{Name: u.Username} }
func (u *User) storeName() string { return u.Username }
func (u *User) setMeta(outer ObjectMeta) error {
	return mergeSpecName(&u.Username, "spec.username", outer)
}
func (u *User) setNamespace(string) {}
func (u *User) Validate() error {
	return checkName("spec.username", u.Username, strictNameRE)
}

// IsBcryptHash reports whether s looks like a bcrypt hash.
func IsBcryptHash(s string) bool {
	return len(s) == 60 && (strings.HasPrefix(s, "$2a$") || strings.HasPrefix(s, "$2b$") || strings.HasPrefix(s, "$2y$"))
}

// APIKey is core/v2 APIKey. Its name is the key itself, so it is a secret.
type APIKey struct {
	withMeta
	Username  string `json:"username,omitempty"`
	CreatedAt int64  `json:"created_at,omitempty"`
	// Hash is set by Sensu Go's API when it makes a key.
	Hash []byte `json:"hash,omitempty"`
}

func (k *APIKey) Validate() error {
	// core/v2 does not check the name (Sensu Go makes it); ours is the key
	// under which the value is stored, so it cannot be empty.
	if k.Metadata.Name == "" {
		return fieldErr("metadata.name", "must not be empty: an API key's name is the key")
	}
	if k.Metadata.Namespace != "" {
		return fieldErr("metadata.namespace", "an API key is cluster-wide and has no namespace")
	}
	if k.Username == "" {
		return fieldErr("spec.username", "must name the user the key belongs to")
	}
	return nil
}

// TessenConfig is core/v2 TessenConfig, a cluster-wide singleton.
type TessenConfig struct {
	OptOut bool `json:"opt_out"`
}

func (t *TessenConfig) Meta() ObjectMeta         { return ObjectMeta{} }
func (t *TessenConfig) storeName() string        { return "" }
func (t *TessenConfig) setMeta(ObjectMeta) error { return nil }
func (t *TessenConfig) setNamespace(string)      {}
func (t *TessenConfig) Validate() error          { return nil }

// Rule is one RBAC rule.
type Rule struct {
	Verbs         []string `json:"verbs"`
	Resources     []string `json:"resources"`
	ResourceNames []string `json:"resource_names"`
}

var verbs = []string{"*", "get", "list", "create", "update", "delete"}

func validRules(rules []Rule) error {
	if len(rules) == 0 {
		return fieldErr("spec.rules", "must have at least one rule")
	}
	for i, r := range rules {
		for j, v := range r.Verbs {
			if err := oneOf(fmt.Sprintf("spec.rules[%d].verbs[%d]", i, j), v, verbs...); err != nil {
				return err
			}
		}
	}
	return nil
}

// setDefaults splits comma-joined verbs and resources ("get,list"), as
// core/v2's Validate does before it checks them, so that what is stored is
// what Sensu Go would store.
func splitRules(rules []Rule) {
	for i := range rules {
		rules[i].Verbs = splitCommas(rules[i].Verbs)
		rules[i].Resources = splitCommas(rules[i].Resources)
	}
}

func splitCommas(list []string) []string {
	if !slices.ContainsFunc(list, func(s string) bool { return strings.Contains(s, ",") }) {
		return list
	}
	var out []string
	for _, s := range list {
		out = append(out, strings.Split(s, ",")...)
	}
	return out
}

// ClusterRole is core/v2 ClusterRole.
type ClusterRole struct {
	Rules []Rule `json:"rules"`
	withMeta
}

func (r *ClusterRole) setNamespace(string) {}
func (r *ClusterRole) setDefaults()        { splitRules(r.Rules) }
func (r *ClusterRole) Validate() error {
	if err := checkName("metadata.name", r.Metadata.Name, subscriptionRE); err != nil {
		return err
	}
	if r.Metadata.Namespace != "" {
		return fieldErr("metadata.namespace", "a ClusterRole is cluster-wide and has no namespace")
	}
	return validRules(r.Rules)
}

// Role is core/v2 Role.
type Role struct {
	Rules []Rule `json:"rules"`
	withMeta
}

func (r *Role) setDefaults() { splitRules(r.Rules) }

func (r *Role) Validate() error {
	if err := checkName("metadata.name", r.Metadata.Name, subscriptionRE); err != nil {
		return err
	}
	if err := needNamespace(r.Metadata); err != nil {
		return err
	}
	return validRules(r.Rules)
}

// Subject is who a binding grants a role to.
type Subject struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

// RoleRef names the bound role.
type RoleRef struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

func validBinding(subjects []Subject, ref RoleRef) error {
	if err := oneOf("spec.role_ref.type", ref.Type, "Role", "ClusterRole"); err != nil {
		return err
	}
	if ref.Name == "" {
		return fieldErr("spec.role_ref.name", "must not be empty")
	}
	if len(subjects) == 0 {
		return fieldErr("spec.subjects", "must have at least one subject")
	}
	for i, s := range subjects {
		field := fmt.Sprintf("spec.subjects[%d]", i)
		if err := oneOf(field+".type", s.Type, "User", "Group"); err != nil {
			return err
		}
		if s.Name == "" {
			return fieldErr(field+".name", "must not be empty")
		}
	}
	return nil
}

// titleBinding capitalises the subject and role types ("group" is
// "Group"), as core/v2's Validate does before it checks them.
func titleBinding(subjects []Subject, ref *RoleRef) {
	ref.Type = title(ref.Type)
	for i := range subjects {
		subjects[i].Type = title(subjects[i].Type)
	}
}

// title is strings.Title, which core/v2 uses: the first letter of each
// word in upper case, the rest unchanged.
func title(s string) string {
	return strings.Title(s) //nolint:staticcheck // core/v2's own rule
}

// ClusterRoleBinding is core/v2 ClusterRoleBinding.
type ClusterRoleBinding struct {
	Subjects []Subject `json:"subjects"`
	RoleRef  RoleRef   `json:"role_ref"`
	withMeta
}

func (b *ClusterRoleBinding) setNamespace(string) {}
func (b *ClusterRoleBinding) setDefaults()        { titleBinding(b.Subjects, &b.RoleRef) }
func (b *ClusterRoleBinding) Validate() error {
	if err := checkName("metadata.name", b.Metadata.Name, subscriptionRE); err != nil {
		return err
	}
	if b.Metadata.Namespace != "" {
		return fieldErr("metadata.namespace", "a ClusterRoleBinding is cluster-wide and has no namespace")
	}
	return validBinding(b.Subjects, b.RoleRef)
}

// RoleBinding is core/v2 RoleBinding.
type RoleBinding struct {
	Subjects []Subject `json:"subjects"`
	RoleRef  RoleRef   `json:"role_ref"`
	withMeta
}

func (b *RoleBinding) setDefaults() { titleBinding(b.Subjects, &b.RoleRef) }

func (b *RoleBinding) Validate() error {
	if err := checkName("metadata.name", b.Metadata.Name, subscriptionRE); err != nil {
		return err
	}
	if err := needNamespace(b.Metadata); err != nil {
		return err
	}
	return validBinding(b.Subjects, b.RoleRef)
}

package resource

import (
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// Namespace is core/v2 Namespace: a name and nothing else.
type Namespace struct {
	Name string `json:"name"`
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
	Username     string   `json:"username"`
	Password     string   `json:"password,omitempty"`
	Groups       []string `json:"groups"`
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
	if err := checkName("spec.username", u.Username, strictNameRE); err != nil {
		return err
	}
	if u.PasswordHash != "" && !IsBcryptHash(u.PasswordHash) {
		return fieldErr("spec.password_hash", "is not a bcrypt hash ($2a$, $2b$ or $2y$)")
	}
	for i, g := range u.Groups {
		if g == "" {
			return fieldErr(fmt.Sprintf("spec.groups[%d]", i), "must not be empty")
		}
	}
	return nil
}

// IsBcryptHash reports whether s looks like a bcrypt hash.
func IsBcryptHash(s string) bool {
	return len(s) == 60 && (strings.HasPrefix(s, "$2a$") || strings.HasPrefix(s, "$2b$") || strings.HasPrefix(s, "$2y$"))
}

// APIKey is core/v2 APIKey. Its name is the key itself, so it is a secret.
type APIKey struct {
	withMeta
	Username  string `json:"username"`
	CreatedAt int64  `json:"created_at"`
}

func (k *APIKey) Validate() error {
	if k.Metadata.Name == "" {
		return fieldErr("metadata.name", "must not be empty")
	}
	if _, err := uuid.Parse(k.Metadata.Name); err != nil {
		return fieldErr("metadata.name", "an API key's name is the key, a UUID: %v", err)
	}
	return checkName("spec.username", k.Username, strictNameRE)
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
		field := fmt.Sprintf("spec.rules[%d]", i)
		if len(r.Verbs) == 0 {
			return fieldErr(field+".verbs", "must have at least one verb")
		}
		for j, v := range r.Verbs {
			if err := oneOf(fmt.Sprintf("%s.verbs[%d]", field, j), v, verbs...); err != nil {
				return err
			}
		}
		if len(r.Resources) == 0 {
			return fieldErr(field+".resources", "must name at least one resource type")
		}
	}
	return nil
}

// ClusterRole is core/v2 ClusterRole.
type ClusterRole struct {
	Rules []Rule `json:"rules"`
	withMeta
}

func (r *ClusterRole) setNamespace(string) {}
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

func validBinding(subjects []Subject, ref RoleRef, refTypes ...string) error {
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
	if err := oneOf("spec.role_ref.type", ref.Type, refTypes...); err != nil {
		return err
	}
	if ref.Name == "" {
		return fieldErr("spec.role_ref.name", "must not be empty")
	}
	return nil
}

// ClusterRoleBinding is core/v2 ClusterRoleBinding.
type ClusterRoleBinding struct {
	Subjects []Subject `json:"subjects"`
	RoleRef  RoleRef   `json:"role_ref"`
	withMeta
}

func (b *ClusterRoleBinding) setNamespace(string) {}
func (b *ClusterRoleBinding) Validate() error {
	if err := checkName("metadata.name", b.Metadata.Name, subscriptionRE); err != nil {
		return err
	}
	if b.Metadata.Namespace != "" {
		return fieldErr("metadata.namespace", "a ClusterRoleBinding is cluster-wide and has no namespace")
	}
	return validBinding(b.Subjects, b.RoleRef, "ClusterRole")
}

// RoleBinding is core/v2 RoleBinding.
type RoleBinding struct {
	Subjects []Subject `json:"subjects"`
	RoleRef  RoleRef   `json:"role_ref"`
	withMeta
}

func (b *RoleBinding) Validate() error {
	if err := checkName("metadata.name", b.Metadata.Name, subscriptionRE); err != nil {
		return err
	}
	if err := needNamespace(b.Metadata); err != nil {
		return err
	}
	return validBinding(b.Subjects, b.RoleRef, "Role", "ClusterRole")
}

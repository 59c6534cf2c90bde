package resource

import (
	"fmt"
	"slices"

	"golang.org/x/crypto/bcrypt"
)

// coreResources are what Sensu Go's default roles grant, its "common core
// resources".
var coreResources = []string{"assets", "checks", "entities", "events", "filters", "handlers", "hooks", "mutators", "silenced"}

// Seed is one resource written by `sensu-backend init`.
type Seed struct {
	Type   *Type
	Object Object
}

// DefaultSeeds are the objects Sensu Go's init writes besides the default
// namespace: its cluster roles and bindings, the system:pipeline role and
// binding in namespace, the agent user and, when adminUser is set, the
// first cluster admin. Passwords are bcrypt-hashed here.
func DefaultSeeds(namespace, agentPassword, adminUser, adminPassword string) ([]Seed, error) {
	rule := func(verbs []string, resources ...string) Rule {
		return Rule{Verbs: verbs, Resources: resources}
	}
	all := []string{"*"}
	read := []string{"get", "list"}
	clusterRole := func(name string, rules ...Rule) Seed {
		return Seed{mustLookup("clusterroles"), &ClusterRole{Rules: rules, withMeta: withMeta{ObjectMeta{Name: name}}}}
	}
	groupBinding := func(name, group, role string) Seed {
		return Seed{mustLookup("clusterrolebindings"), &ClusterRoleBinding{
			Subjects: []Subject{{Type: "Group", Name: group}},
			RoleRef:  RoleRef{Type: "ClusterRole", Name: role},
			withMeta: withMeta{ObjectMeta{Name: name}},
		}}
	}
	seeds := []Seed{
		clusterRole("cluster-admin", rule(all, "*")),
		clusterRole("admin", rule(all, slices.Concat(coreResources, []string{"roles", "rolebindings"})...), rule(read, "namespaces")),
		clusterRole("edit", rule(all, coreResources...), rule(read, "namespaces")),
		clusterRole("view", rule(read, slices.Concat(coreResources, []string{"namespaces"})...)),
		clusterRole("system:agent", rule(all, "events")),
		clusterRole("system:user", rule([]string{"get", "update"}, "localselfuser")),
		groupBinding("cluster-admin", "cluster-admins", "cluster-admin"),
		groupBinding("system:agent", "system:agents", "system:agent"),
		groupBinding("system:user", "system:users", "system:user"),
		{mustLookup("roles"), &Role{Rules: []Rule{rule(read, "events")}, withMeta: withMeta{ObjectMeta{Name: "system:pipeline", Namespace: namespace}}}},
		{mustLookup("rolebindings"), &RoleBinding{
			Subjects: []Subject{{Type: "Group", Name: "system:pipeline"}},
			RoleRef:  RoleRef{Type: "Role", Name: "system:pipeline"},
			withMeta: withMeta{ObjectMeta{Name: "system:pipeline", Namespace: namespace}},
		}},
	}
	users := []struct{ name, password, group string }{{"agent", agentPassword, "system:agents"}}
	if adminUser != "" {
		users = append(users, struct{ name, password, group string }{adminUser, adminPassword, "cluster-admins"})
	}
	for _, u := range users {
		if u.password == "" {
			return nil, fmt.Errorf("user %s needs a password", u.name)
		}
		hash, err := bcrypt.GenerateFromPassword([]byte(u.password), bcrypt.DefaultCost)
		if err != nil {
			return nil, fmt.Errorf("hash the password of user %s: %w", u.name, err)
		}
		seeds = append(seeds, Seed{mustLookup("users"), &User{Username: u.name, Groups: []string{u.group}, PasswordHash: string(hash)}})
	}
	for _, s := range seeds {
		if err := Prepare(s.Type, s.Object, namespace); err != nil {
			return nil, fmt.Errorf("default %s %s: %w", s.Type.Kind, StoreName(s.Object), err)
		}
	}
	return seeds, nil
}

func mustLookup(name string) *Type {
	t, err := Lookup(name)
	if err != nil {
		panic(err)
	}
	return t
}

package resource

import (
	"fmt"
	"strings"
)

// Type describes one resource type: its names, whether it lives in a
// namespace, and where it is stored.
type Type struct {
	// Kind is the Go type name used in the wrapped format, e.g. CheckConfig.
	Kind       string
	APIVersion string
	// ShortName is the plural, RBAC name, e.g. checks.
	ShortName string
	// Singular names the sensuctl command, e.g. check.
	Singular   string
	Namespaced bool
	// Prefix is the key segment under /sensu.io, e.g. checks or rbac/roles.
	Prefix string
	// Singleton types have one value at /sensu.io/<Prefix> and no name.
	Singleton bool
	// Secret types (API keys: the name is the key) are dumped only on request.
	Secret bool
	// Aliases are other accepted names (lower case).
	Aliases []string

	new func() Object
}

// FullName is the fully qualified name, e.g. core/v2.CheckConfig.
func (t *Type) FullName() string { return t.APIVersion + "." + t.Kind }

// New returns an empty value of the type.
func (t *Type) New() Object { return t.new() }

const coreV2 = "core/v2"

// All lists every type in Sensu Go's order, which is also dump and restore
// order: cluster-wide types first, so namespaces exist before what is in them.
var All = []*Type{
	{Kind: "Namespace", ShortName: "namespaces", Singular: "namespace", Prefix: "namespaces", new: func() Object { return &Namespace{} }},
	{Kind: "ClusterRole", ShortName: "clusterroles", Singular: "cluster-role", Prefix: "rbac/clusterroles", new: func() Object { return &ClusterRole{} }},
	{Kind: "ClusterRoleBinding", ShortName: "clusterrolebindings", Singular: "cluster-role-binding", Prefix: "rbac/clusterrolebindings", new: func() Object { return &ClusterRoleBinding{} }},
	{Kind: "User", ShortName: "users", Singular: "user", Prefix: "users", new: func() Object { return &User{} }},
	{Kind: "APIKey", ShortName: "apikeys", Singular: "api-key", Prefix: "apikeys", Secret: true, new: func() Object { return &APIKey{} }},
	{Kind: "TessenConfig", ShortName: "tessen", Singular: "tessen", Prefix: "tessen", Singleton: true, new: func() Object { return &TessenConfig{} }},
	{Kind: "Asset", ShortName: "assets", Singular: "asset", Namespaced: true, Prefix: "assets", new: func() Object { return &Asset{} }},
	{Kind: "CheckConfig", ShortName: "checks", Singular: "check", Namespaced: true, Prefix: "checks", new: func() Object { return &CheckConfig{} }},
	{Kind: "Entity", ShortName: "entities", Singular: "entity", Namespaced: true, Prefix: "entities", new: func() Object { return &Entity{} }},
	{Kind: "Event", ShortName: "events", Singular: "event", Namespaced: true, Prefix: "events", new: func() Object { return &Event{} }},
	{Kind: "EventFilter", ShortName: "filters", Singular: "filter", Namespaced: true, Prefix: "event-filters", Aliases: []string{"event-filters", "eventfilters"}, new: func() Object { return &EventFilter{} }},
	{Kind: "Handler", ShortName: "handlers", Singular: "handler", Namespaced: true, Prefix: "handlers", new: func() Object { return &Handler{} }},
	{Kind: "HookConfig", ShortName: "hooks", Singular: "hook", Namespaced: true, Prefix: "hooks", new: func() Object { return &HookConfig{} }},
	{Kind: "Mutator", ShortName: "mutators", Singular: "mutator", Namespaced: true, Prefix: "mutators", new: func() Object { return &Mutator{} }},
	{Kind: "Pipeline", ShortName: "pipelines", Singular: "pipeline", Namespaced: true, Prefix: "pipelines", new: func() Object { return &Pipeline{} }},
	{Kind: "Role", ShortName: "roles", Singular: "role", Namespaced: true, Prefix: "rbac/roles", new: func() Object { return &Role{} }},
	{Kind: "RoleBinding", ShortName: "rolebindings", Singular: "role-binding", Namespaced: true, Prefix: "rbac/rolebindings", new: func() Object { return &RoleBinding{} }},
	{Kind: "Silenced", ShortName: "silenced", Singular: "silenced", Namespaced: true, Prefix: "silenced", new: func() Object { return &Silenced{} }},
}

var byName = map[string]*Type{}

func init() {
	for _, t := range All {
		t.APIVersion = coreV2
		for _, n := range append([]string{t.Kind, t.ShortName, t.Singular, t.FullName()}, t.Aliases...) {
			byName[strings.ToLower(n)] = t
		}
	}
}

// Lookup resolves a type by its short name (checks), singular (check),
// kind (CheckConfig) or fully qualified name (core/v2.CheckConfig), in any
// case.
func Lookup(name string) (*Type, error) {
	if t, ok := byName[strings.ToLower(strings.TrimSpace(name))]; ok {
		return t, nil
	}
	return nil, fmt.Errorf("unknown resource type %q (see 'sensuctl describe-type all')", name)
}

// LookupKind resolves the type of a wrapped document.
func LookupKind(apiVersion, kind string) (*Type, error) {
	if apiVersion == "" {
		apiVersion = coreV2
	}
	for _, t := range All {
		if t.APIVersion == apiVersion && t.Kind == kind {
			return t, nil
		}
	}
	if apiVersion != coreV2 {
		return nil, fmt.Errorf("unsupported api_version %q for type %q (this tool knows core/v2)", apiVersion, kind)
	}
	return nil, fmt.Errorf("unknown type %q", kind)
}

// ParseTypes reads "all" or a comma-separated list of type names, without
// duplicates, in registry order. omit is subtracted.
func ParseTypes(list, omit string) ([]*Type, error) {
	want := map[*Type]bool{}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		switch name {
		case "":
			continue
		case "all":
			for _, t := range All {
				want[t] = true
			}
			continue
		}
		t, err := Lookup(name)
		if err != nil {
			return nil, err
		}
		want[t] = true
	}
	for _, name := range strings.Split(omit, ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		t, err := Lookup(name)
		if err != nil {
			return nil, fmt.Errorf("--omit: %w", err)
		}
		delete(want, t)
	}
	var out []*Type
	for _, t := range All {
		if want[t] {
			out = append(out, t)
		}
	}
	return out, nil
}

package resource

import (
	"strings"

	"github.com/sensu-etcd/sensu/internal/keyspace"
)

// Key is where a resource is stored:
// /sensu.io/<prefix>/<namespace>/<name>, or /sensu.io/<prefix>/<name> for a
// cluster-wide type and /sensu.io/<prefix> for a singleton.
func (t *Type) Key(namespace, name string) string {
	switch {
	case t.Singleton:
		return keyspace.Root + "/" + t.Prefix
	case t.Namespaced:
		return keyspace.Root + "/" + t.Prefix + "/" + namespace + "/" + name
	default:
		return keyspace.Root + "/" + t.Prefix + "/" + name
	}
}

// KeyOf is the key of o.
func (t *Type) KeyOf(o Object) string { return t.Key(o.Meta().Namespace, o.storeName()) }

// ListPrefix is the prefix to range over for the type, in one namespace or
// (namespace "") all of them. It ends in "/" so that a namespace "a" does
// not match "ab". For a singleton it is the key itself.
func (t *Type) ListPrefix(namespace string) string {
	switch {
	case t.Singleton:
		return t.Key("", "")
	case t.Namespaced && namespace != "":
		return keyspace.Root + "/" + t.Prefix + "/" + namespace + "/"
	default:
		return keyspace.Root + "/" + t.Prefix + "/"
	}
}

// SplitKey returns the namespace and name encoded in a key of the type.
func (t *Type) SplitKey(key string) (namespace, name string) {
	rest := strings.TrimPrefix(key, t.ListPrefix(""))
	if t.Namespaced {
		namespace, name, _ = strings.Cut(rest, "/")
		return namespace, name
	}
	return "", rest
}

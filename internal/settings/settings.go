// Package settings holds what the sensu-backend and sensuctl settings tables
// share: binding a typed field to a flag, resolving a value from the layers
// below the command line, reading YAML values, and suggesting a name for a
// typo. Each program keeps its own table of names.
package settings

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"
)

// AddFlag registers ptr as the flag name, with its current value as default.
// ptr is a *string, *[]string, *bool, *uint, *int, *int64 or *time.Duration.
func AddFlag(fs *pflag.FlagSet, name, short, usage string, ptr any) {
	switch p := ptr.(type) {
	case *string:
		fs.StringVarP(p, name, short, *p, usage)
	case *[]string:
		fs.StringSliceVarP(p, name, short, *p, usage)
	case *bool:
		fs.BoolVarP(p, name, short, *p, usage)
	case *uint:
		fs.UintVarP(p, name, short, *p, usage)
	case *int:
		fs.IntVarP(p, name, short, *p, usage)
	case *int64:
		fs.Int64VarP(p, name, short, *p, usage)
	case *time.Duration:
		fs.DurationVarP(p, name, short, *p, usage)
	default:
		panic(fmt.Sprintf("settings: %s binds unsupported type %T", name, p))
	}
}

// IsList reports whether ptr binds a list setting.
func IsList(ptr any) bool {
	_, ok := ptr.(*[]string)
	return ok
}

// ScalarOrList turns a YAML value into the text a flag would take: a scalar
// as is, a sequence of scalars joined with commas.
func ScalarOrList(n *yaml.Node) (string, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "", nil
		}
		return n.Value, nil
	case yaml.SequenceNode:
		items := make([]string, 0, len(n.Content))
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return "", fmt.Errorf("list items must be plain values")
			}
			items = append(items, c.Value)
		}
		return strings.Join(items, ","), nil
	default:
		return "", fmt.Errorf("must be a value or a list of values, not a mapping")
	}
}

// Cause drops pflag's "invalid argument ... for ... flag" wrapping, which
// repeats what a caller's message already says.
func Cause(err error) error {
	type unwrapper interface{ Unwrap() error }
	if u, ok := err.(unwrapper); ok && u.Unwrap() != nil {
		return u.Unwrap()
	}
	return err
}

// Suggest returns the candidate closest to name, when it is close enough to
// be a typo or a shortened name.
func Suggest(name string, candidates []string) string {
	best, bestDist := "", 4
	for _, c := range candidates {
		if len(name) >= 6 && strings.HasPrefix(c, name) {
			return c
		}
		if d := editDistance(name, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Env is where environment variables come from: the process in production,
// a map in tests.
type Env struct {
	LookupEnv func(string) (string, bool)
	Environ   func() []string
	// Warn receives non-fatal notices, such as unknown variables.
	Warn func(string)
}

// OSEnv reads the process environment.
func OSEnv(warn func(string)) Env {
	return Env{LookupEnv: os.LookupEnv, Environ: os.Environ, Warn: warn}
}

// WarnUnknown warns about each variable with prefix that is not in known,
// suggesting the closest known name.
func (e Env) WarnUnknown(prefix string, known []string) {
	if e.Environ == nil || e.Warn == nil {
		return
	}
	isKnown := map[string]bool{}
	for _, k := range known {
		isKnown[k] = true
	}
	var unknown []string
	for _, kv := range e.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, prefix) && !isKnown[name] {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	for _, name := range unknown {
		msg := "ignoring unknown environment variable " + name
		if s := Suggest(name, known); s != "" {
			msg += " (did you mean " + s + "?)"
		}
		e.Warn(msg)
	}
}

package backendconfig

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// Reference markers delimit the generated part of docs/backend.md.
const (
	ReferenceBegin = "<!-- settings reference: generated from internal/backendconfig; do not edit -->"
	ReferenceEnd   = "<!-- end of settings reference -->"
)

// WriteReference writes the Markdown table of every setting: flag,
// environment variable, YAML key, default and meaning, by group.
func WriteReference(w io.Writer) error {
	defaults := DefaultOptions()
	fs := pflag.NewFlagSet("reference", pflag.ContinueOnError)
	Register(fs, Start|Init, &defaults)
	var b strings.Builder
	for _, group := range Groups {
		fmt.Fprintf(&b, "\n### %s\n\n", group)
		b.WriteString("| Flag | Environment variable | backend.yml key | Default | Commands | Meaning |\n")
		b.WriteString("|---|---|---|---|---|---|\n")
		for _, s := range Settings {
			if s.Group != group {
				continue
			}
			flag := "`--" + s.Name + "`"
			if s.Short != "" {
				flag += ", `-" + s.Short + "`"
			}
			key := "`" + s.Name + "`"
			if s.Name == configFileSetting {
				key = "—"
			}
			fmt.Fprintf(&b, "| %s | `%s` | %s | %s | %s | %s |\n",
				flag, s.Env(), key, defaultText(fs.Lookup(s.Name)), commands(s.For), escapeCell(s.Usage))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func defaultText(f *pflag.Flag) string {
	v := f.DefValue
	switch f.Value.Type() {
	case "stringSlice":
		v = strings.Trim(v, "[]")
	case "duration":
		if d, err := time.ParseDuration(v); err == nil {
			v = d.String()
		}
	}
	if v == "" {
		return "(empty)"
	}
	return "`" + v + "`"
}

func commands(c Command) string {
	var names []string
	if c&Start != 0 {
		names = append(names, "start")
	}
	if c&Init != 0 {
		names = append(names, "init")
	}
	return strings.Join(names, ", ")
}

func escapeCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

package clidocs

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sensu-etcd/sensu/internal/cli/sensuctl"
	"github.com/sensu-etcd/sensu/internal/clientconfig"
)

// repoDocs is the checked-in docs directory, seen from this package.
var repoDocs = filepath.Join("..", "..", "docs")

// readTree returns the files under dir by slash-separated relative path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = data
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatalf("read %s: %v", dir, err)
	}
	return files
}

// generated runs Generate into a new temporary directory and returns it.
func generated(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := Generate(dir); err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return dir
}

// firstDifference describes the first line where got and want differ.
func firstDifference(got, want []byte) string {
	g := strings.Split(string(got), "\n")
	w := strings.Split(string(want), "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if i >= len(g) || i >= len(w) || gl != wl {
			return fmt.Sprintf("line %d: checked in %q, generated %q", i+1, wl, gl)
		}
	}
	return "same lines, different bytes"
}

// compareTrees lists the differences between the generated and the
// checked-in files, one line each.
func compareTrees(prefix string, gen, repo map[string][]byte) []string {
	var problems []string
	for name, data := range gen {
		have, ok := repo[name]
		switch {
		case !ok:
			problems = append(problems, prefix+name+": missing (generated, not checked in)")
		case !bytes.Equal(have, data):
			problems = append(problems, prefix+name+": out of date, "+firstDifference(data, have))
		}
	}
	for name := range repo {
		if _, ok := gen[name]; !ok {
			problems = append(problems, prefix+name+": extra (checked in, no longer generated)")
		}
	}
	sort.Strings(problems)
	return problems
}

func TestGeneratedDocsAreCurrent(t *testing.T) {
	out := generated(t)
	var problems []string
	for _, sub := range []string{ReferenceDir, ManDir} {
		gen := readTree(t, filepath.Join(out, sub))
		if len(gen) == 0 {
			t.Fatalf("Generate wrote nothing into %s", sub)
		}
		repo := readTree(t, filepath.Join(repoDocs, sub))
		problems = append(problems, compareTrees("docs/"+sub+"/", gen, repo)...)
	}
	if len(problems) > 0 {
		t.Fatalf("docs/reference and docs/man do not match the command trees:\n  %s\n\n"+
			"Regenerate them from the repository root with\n\n    %s\n\n"+
			"(or go generate ./internal/clidocs) and commit the result, removed files included.",
			strings.Join(problems, "\n  "), RegenerateCommand)
	}
}

func TestGenerateIsReproducible(t *testing.T) {
	a, b := generated(t), generated(t)
	for _, sub := range []string{ReferenceDir, ManDir} {
		if p := compareTrees(sub+"/", readTree(t, filepath.Join(a, sub)), readTree(t, filepath.Join(b, sub))); len(p) > 0 {
			t.Errorf("two runs differ in %s:\n  %s", sub, strings.Join(p, "\n  "))
		}
	}
}

// TestGenerateIgnoresEnvironment changes the environment a flag default might
// be read from and checks the pages stay the same.
func TestGenerateIgnoresEnvironment(t *testing.T) {
	before := generated(t)
	odd := "/nonexistent/clidocs-env-probe"
	for _, name := range []string{"HOME", "USER", "LOGNAME", "HOSTNAME", "XDG_CONFIG_HOME",
		"XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "SHELL", "LANG", "LC_ALL"} {
		t.Setenv(name, odd)
	}
	t.Setenv("SOURCE_DATE_EPOCH", "0")
	t.Setenv("TZ", "Pacific/Kiritimati")
	// Every variable a flag of either tree could be read from.
	for _, root := range Trees() {
		walk(root, func(c *cobra.Command) {
			set := func(f *pflag.Flag) {
				name := strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
				for _, prefix := range []string{"SENSU_BACKEND_", "SENSUCTL_", "SENSU_", "ETCDCTL_", "ETCD_"} {
					t.Setenv(prefix+name, odd)
				}
			}
			c.Flags().VisitAll(set)
			c.PersistentFlags().VisitAll(set)
		})
	}
	after := generated(t)
	for _, sub := range []string{ReferenceDir, ManDir} {
		p := compareTrees(sub+"/", readTree(t, filepath.Join(after, sub)), readTree(t, filepath.Join(before, sub)))
		if len(p) > 0 {
			t.Errorf("the pages depend on the environment (a flag default read from it?); %s differs:\n  %s",
				sub, strings.Join(p, "\n  "))
		}
	}
	for name, data := range readTree(t, after) {
		if bytes.Contains(data, []byte(odd)) {
			t.Errorf("%s contains a value taken from the environment (%s)", name, odd)
		}
	}
}

// TestGeneratedDocsHaveNoMachineDetails checks the pages do not carry paths or
// names of the machine that generated them.
func TestGeneratedDocsHaveNoMachineDetails(t *testing.T) {
	out := generated(t)
	var leaks []*regexp.Regexp
	addPath := func(p string) {
		if p = filepath.Clean(p); len(p) > 1 && p != "/tmp" {
			leaks = append(leaks, regexp.MustCompile(regexp.QuoteMeta(p)))
		}
	}
	addPath(out)
	if wd, err := os.Getwd(); err == nil {
		addPath(filepath.Dir(filepath.Dir(wd))) // the repository root
	}
	if home, err := os.UserHomeDir(); err == nil {
		addPath(home)
	}
	// Short host names are common words; only look for distinctive ones.
	if host, err := os.Hostname(); err == nil && len(host) >= 8 {
		leaks = append(leaks, regexp.MustCompile(`\b`+regexp.QuoteMeta(host)+`\b`))
	}
	for name, data := range readTree(t, out) {
		for _, re := range leaks {
			if re.Match(data) {
				t.Errorf("%s contains %q, a detail of this machine", name, re.String())
			}
		}
		if bytes.Contains(data, []byte("Auto generated by spf13/cobra")) {
			t.Errorf("%s has cobra's dated auto-generated line", name)
		}
	}
}

// TestGenerateCoversBothTrees checks the set of pages against the trees: every
// documented command has a Markdown page, a man page and an index entry.
func TestGenerateCoversBothTrees(t *testing.T) {
	out := generated(t)
	ref := readTree(t, filepath.Join(out, ReferenceDir))
	man := readTree(t, filepath.Join(out, ManDir))
	index := string(ref["README.md"])
	if !strings.Contains(index, RegenerateCommand) {
		t.Errorf("README.md does not say how it is produced")
	}

	wantRef := map[string]bool{"README.md": true}
	wantMan := map[string]bool{}
	roots := Trees()
	for _, root := range roots {
		prepare(root)
		var visit func(c *cobra.Command)
		visit = func(c *cobra.Command) {
			wantRef[pageName(c)] = true
			wantMan[manPageName(c)] = true
			if !strings.Contains(index, "]("+pageName(c)+")") {
				t.Errorf("README.md has no link to %s", pageName(c))
			}
			for _, sub := range children(c) {
				visit(sub)
			}
		}
		visit(root)
		for _, topic := range helpTopics(root) {
			wantRef[pageName(topic)] = true
			wantMan[manPageName(topic)] = true
			if !strings.Contains(index, "]("+pageName(topic)+")") {
				t.Errorf("README.md has no link to %s", pageName(topic))
			}
		}
	}
	for _, set := range []struct {
		dir       string
		got, want map[string]bool
	}{
		{ReferenceDir, keys(ref), wantRef},
		{ManDir, keys(man), wantMan},
	} {
		for name := range set.want {
			if !set.got[name] {
				t.Errorf("%s/%s was not written", set.dir, name)
			}
		}
		for name := range set.got {
			if !set.want[name] {
				t.Errorf("%s/%s was written but documents no command", set.dir, name)
			}
		}
	}

	for _, name := range []string{"sensuctl.md", "sensu-backend.md", "sensuctl_completion.md",
		"sensuctl_completion_bash.md", "sensuctl_completion_zsh.md", "sensuctl_completion_fish.md",
		"sensuctl_completion_powershell.md"} {
		if ref[name] == nil {
			t.Errorf("reference/%s is missing", name)
		}
	}
	for name := range ref {
		if strings.HasSuffix(name, "_help.md") {
			t.Errorf("cobra's help command is documented: %s", name)
		}
	}
	// sensu-backend disables the default completion command on purpose.
	if ref["sensu-backend_completion.md"] != nil {
		t.Errorf("sensu-backend_completion.md written, but sensu-backend has no completion command")
	}
}

func keys(m map[string][]byte) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

// TestGenerateSkipsHiddenCommands runs the generator on a small tree.
func TestGenerateSkipsHiddenCommands(t *testing.T) {
	root := &cobra.Command{Use: "tool", Short: "A tool"}
	visible := &cobra.Command{Use: "visible", Short: "Shown", Run: func(*cobra.Command, []string) {}}
	hidden := &cobra.Command{Use: "secret", Short: "Hidden", Hidden: true, Run: func(*cobra.Command, []string) {}}
	deprecated := &cobra.Command{Use: "old", Short: "Old", Deprecated: "use visible", Run: func(*cobra.Command, []string) {}}
	topic := &cobra.Command{Use: "concepts", Short: "Read me", Long: "Words."}
	hiddenTopic := &cobra.Command{Use: "internals", Short: "Hidden topic", Long: "Words.", Hidden: true}
	root.AddCommand(visible, hidden, deprecated, topic, hiddenTopic)
	root.InitDefaultHelpCmd()

	out := t.TempDir()
	// A page left from an earlier run of a removed command must go.
	if err := os.MkdirAll(filepath.Join(out, ReferenceDir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, ReferenceDir, "tool_removed.md"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := generate(out, []*cobra.Command{root}); err != nil {
		t.Fatal(err)
	}
	got := keys(readTree(t, out))
	want := map[string]bool{}
	for _, name := range []string{
		"reference/README.md", "reference/tool.md", "reference/tool_visible.md",
		"reference/tool_completion.md", "reference/tool_completion_bash.md",
		"reference/tool_completion_fish.md", "reference/tool_completion_powershell.md",
		"reference/tool_completion_zsh.md", "reference/tool_concepts.md",
		"man/tool.1", "man/tool-concepts.1", "man/tool-visible.1", "man/tool-completion.1",
		"man/tool-completion-bash.1", "man/tool-completion-fish.1",
		"man/tool-completion-powershell.1", "man/tool-completion-zsh.1",
	} {
		want[name] = true
	}
	for name := range want {
		if !got[name] {
			t.Errorf("%s not written", name)
		}
	}
	for name := range got {
		if !want[name] {
			t.Errorf("unexpected file %s", name)
		}
	}
	index, err := os.ReadFile(filepath.Join(out, ReferenceDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(index), "- [`tool help concepts`](tool_concepts.md): Read me\n") {
		t.Errorf("README.md does not list the help topic:\n%s", index)
	}
	for _, word := range []string{"tool secret", "tool old", "tool_secret", "tool_old", "tool_help.md", "internals"} {
		if strings.Contains(string(index), word) {
			t.Errorf("README.md mentions %q:\n%s", word, index)
		}
	}
}

// TestSensuctlCompletion runs `sensuctl completion <shell>` in-process.
func TestSensuctlCompletion(t *testing.T) {
	cases := []struct {
		shell string
		check func(string) bool
		want  string
	}{
		{"bash", func(s string) bool {
			return strings.Contains(s, "__start_sensuctl") && strings.Contains(s, "complete -o default -F __start_sensuctl sensuctl")
		}, "__start_sensuctl and complete -o default -F __start_sensuctl sensuctl"},
		{"zsh", func(s string) bool { return strings.HasPrefix(s, "#compdef sensuctl") }, "a first line #compdef sensuctl"},
		{"fish", func(s string) bool { return strings.Contains(s, "complete -c sensuctl") }, "complete -c sensuctl"},
		{"powershell", func(s string) bool {
			return strings.Contains(s, "Register-ArgumentCompleter") && strings.Contains(s, "-CommandName 'sensuctl'")
		}, "Register-ArgumentCompleter -CommandName 'sensuctl'"},
	}
	for _, tc := range cases {
		t.Run(tc.shell, func(t *testing.T) {
			var out, errOut bytes.Buffer
			// A user with a home directory and no config file yet.
			home := t.TempDir()
			env := map[string]string{"HOME": home}
			root := sensuctl.NewRootCommand(&sensuctl.Factory{IO: sensuctl.IO{
				In:     strings.NewReader(""),
				Out:    &out,
				ErrOut: &errOut,
				Env: clientconfig.Source{
					LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
					Environ:   func() []string { return []string{"HOME=" + home} },
					Warn:      func(msg string) { t.Errorf("warning: %s", msg) },
				},
			}})
			root.SetOut(&out)
			root.SetErr(&errOut)
			root.SetArgs([]string{"completion", tc.shell})
			if err := root.Execute(); err != nil {
				t.Fatalf("sensuctl completion %s: %v (stderr %q)", tc.shell, err, errOut.String())
			}
			script := out.String()
			if script == "" {
				t.Fatalf("sensuctl completion %s printed nothing (stderr %q)", tc.shell, errOut.String())
			}
			if !tc.check(script) {
				head := script
				if len(head) > 300 {
					head = head[:300]
				}
				t.Errorf("sensuctl completion %s does not look like a %s script (want %s); it starts:\n%s",
					tc.shell, tc.shell, tc.want, head)
			}
		})
	}
}

// Package clidocs generates the command reference of sensuctl and
// sensu-backend: Markdown pages in docs/reference and man pages in docs/man.
//
// Regenerate the checked-in pages from the repository root with
//
//	go run ./internal/clidocs/cmd/gendocs
//
// or with `go generate ./internal/clidocs`. TestGeneratedDocsAreCurrent fails
// when the pages no longer match the command trees.
package clidocs

//go:generate go run ./cmd/gendocs

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/sensu-etcd/sensu/internal/backendconfig"
	"github.com/sensu-etcd/sensu/internal/cli/backendcmd"
	"github.com/sensu-etcd/sensu/internal/cli/sensuctl"
	"github.com/sensu-etcd/sensu/internal/clientconfig"
)

// RegenerateCommand is the command, run from the repository root, that
// rewrites docs/reference and docs/man.
const RegenerateCommand = "go run ./internal/clidocs/cmd/gendocs"

// Subdirectories of the Generate directory.
const (
	ReferenceDir = "reference"
	ManDir       = "man"
)

// generatedNote heads every Markdown page.
const generatedNote = "<!-- Generated from the command definitions by `" + RegenerateCommand + "`. Do not edit. -->\n\n"

// manDate is the date in every man page header. cobra would otherwise use the
// current time (or SOURCE_DATE_EPOCH), so the pages would change every month
// and differ between machines; a fixed date keeps them byte-for-byte
// reproducible and lets the test compare them with the checked-in copies.
var manDate = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// manHeader returns the header of every man page. Title is left empty on
// purpose: cobra then derives it from each command's path (SENSUCTL-VERSION),
// so every page gets its own title; a fixed title would give all pages the
// same one.
func manHeader() *doc.GenManHeader {
	date := manDate
	return &doc.GenManHeader{
		Section: "1",
		Date:    &date,
		Source:  "sensu",
		Manual:  "Sensu Manual",
	}
}

// Trees builds the documented command trees, sensuctl then sensu-backend,
// with streams that discard output and an environment that is always empty,
// so nothing about the machine running the generator reaches the pages.
// Every call builds new trees: generation changes the commands it visits.
func Trees() []*cobra.Command {
	ctl := sensuctl.NewRootCommand(&sensuctl.Factory{IO: sensuctl.IO{
		In:     strings.NewReader(""),
		Out:    io.Discard,
		ErrOut: io.Discard,
		Env: clientconfig.Source{
			LookupEnv: noEnv,
			Environ:   func() []string { return nil },
			Warn:      func(string) {},
		},
		// Not a terminal, no width: help must not depend on the terminal
		// that runs the generator.
		InTerminal:  false,
		OutTerminal: false,
		Width:       0,
	}})
	backend := backendcmd.NewRootCommand(backendcmd.IO{
		In:     strings.NewReader(""),
		Out:    io.Discard,
		ErrOut: io.Discard,
		Env: backendconfig.Source{
			LookupEnv: noEnv,
			Environ:   func() []string { return nil },
			Warn:      func(string) {},
		},
	})
	return []*cobra.Command{ctl, backend}
}

// noEnv is the LookupEnv of an environment with no variables.
func noEnv(string) (string, bool) { return "", false }

// Generate writes the Markdown reference of both command trees, with an index
// README.md, into dir/reference and their man pages into dir/man: one page per
// command and per help topic, skipping hidden and deprecated commands and
// cobra's help command, and including cobra's completion command where the
// root does not disable it. Pages left from an earlier run (*.md in
// dir/reference, *.1 in dir/man) are removed first, so a removed command loses
// its page; other files are left alone.
func Generate(dir string) error {
	return generate(dir, Trees())
}

func generate(dir string, roots []*cobra.Command) error {
	refDir := filepath.Join(dir, ReferenceDir)
	manDir := filepath.Join(dir, ManDir)
	if err := resetDir(refDir, ".md"); err != nil {
		return err
	}
	if err := resetDir(manDir, ".1"); err != nil {
		return err
	}
	for _, root := range roots {
		prepare(root)
		if err := doc.GenMarkdownTreeCustom(root, refDir, prependNote, relativeLink); err != nil {
			return fmt.Errorf("markdown pages of %s: %w", root.Name(), err)
		}
		if err := doc.GenManTree(root, manHeader(), manDir); err != nil {
			return fmt.Errorf("man pages of %s: %w", root.Name(), err)
		}
		for _, topic := range helpTopics(root) {
			if err := writeTopic(topic, refDir, manDir); err != nil {
				return fmt.Errorf("help topic %s: %w", topic.CommandPath(), err)
			}
		}
	}
	page := index(roots)
	if err := os.WriteFile(filepath.Join(refDir, "README.md"), page, 0o644); err != nil {
		return fmt.Errorf("reference index: %w", err)
	}
	return nil
}

// resetDir creates dir and removes the files in it that end in ext.
func resetDir(dir, ext string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ext) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// prepare adds cobra's default completion command where the root does not
// disable it (cobra only adds it when the program runs, so the generators
// would not see it otherwise) and turns off the dated "Auto generated" line on
// every command.
func prepare(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	walk(root, func(c *cobra.Command) { c.DisableAutoGenTag = true })
}

// walk calls fn for cmd and all its descendants, documented or not.
func walk(cmd *cobra.Command, fn func(*cobra.Command)) {
	fn(cmd)
	for _, c := range cmd.Commands() {
		walk(c, fn)
	}
}

// documented reports whether the generators write a page for c: they skip
// hidden and deprecated commands, cobra's help command and help topics.
func documented(c *cobra.Command) bool {
	return !c.HasParent() || (c.IsAvailableCommand() && !c.IsAdditionalHelpTopicCommand())
}

// isTopic reports whether c is a help topic: a command with a text but nothing
// to run (`sensuctl help exit-codes`). cobra's generators skip topics, but
// they are written for users, so they get pages too.
func isTopic(c *cobra.Command) bool {
	return c.HasParent() && c.IsAdditionalHelpTopicCommand()
}

// topics returns the help topics directly under c, sorted by name.
func topics(c *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	for _, sub := range c.Commands() {
		if isTopic(sub) {
			out = append(out, sub)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out
}

// helpTopics returns the help topics under the documented commands of root,
// and the topics under those topics.
func helpTopics(root *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	var addTopic func(*cobra.Command)
	addTopic = func(t *cobra.Command) {
		out = append(out, t)
		for _, sub := range topics(t) {
			addTopic(sub)
		}
	}
	var visit func(*cobra.Command)
	visit = func(c *cobra.Command) {
		for _, t := range topics(c) {
			addTopic(t)
		}
		for _, sub := range children(c) {
			visit(sub)
		}
	}
	visit(root)
	return out
}

// writeTopic writes the Markdown and man page of a help topic, named like the
// pages of commands.
func writeTopic(topic *cobra.Command, refDir, manDir string) error {
	var md bytes.Buffer
	md.WriteString(generatedNote)
	if err := doc.GenMarkdownCustom(topic, &md, relativeLink); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(refDir, pageName(topic)), md.Bytes(), 0o644); err != nil {
		return err
	}
	var man bytes.Buffer
	if err := doc.GenMan(topic, manHeader(), &man); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(manDir, manPageName(topic)), man.Bytes(), 0o644)
}

// children returns the documented subcommands of c, sorted by name.
func children(c *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	for _, sub := range c.Commands() {
		if documented(sub) {
			out = append(out, sub)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out
}

func prependNote(string) string { return generatedNote }

// relativeLink keeps cobra's links as bare file names: the pages sit in one
// directory, so the links work on GitHub and in a local checkout.
func relativeLink(name string) string { return name }

// pageName is the Markdown file of a command: its path joined by "_".
func pageName(c *cobra.Command) string {
	return strings.ReplaceAll(c.CommandPath(), " ", "_") + ".md"
}

// manPageName is the man page file of a command: its path joined by "-".
func manPageName(c *cobra.Command) string {
	return strings.ReplaceAll(c.CommandPath(), " ", "-") + ".1"
}

// index renders reference/README.md: every documented command of the trees,
// with its short description and a link to its page.
func index(roots []*cobra.Command) []byte {
	var b bytes.Buffer
	b.WriteString(generatedNote)
	b.WriteString("# Command reference\n\n")
	b.WriteString("One page per command of `sensuctl` and `sensu-backend`, generated from the\n")
	b.WriteString("command definitions by `" + RegenerateCommand + "` (run from the\n")
	b.WriteString("repository root; `go generate ./internal/clidocs` does the same). Do not edit\n")
	b.WriteString("these pages by hand: change the command and regenerate. `go test ./internal/clidocs`\n")
	b.WriteString("fails when they are out of date.\n\n")
	b.WriteString("The same commands are in man page form in [`docs/man`](../man/); read one with\n")
	b.WriteString("`man docs/man/sensuctl.1`.\n")
	for _, root := range roots {
		fmt.Fprintf(&b, "\n## %s\n\n", root.Name())
		if root.Short != "" {
			fmt.Fprintf(&b, "%s.\n\n", strings.TrimSuffix(root.Short, "."))
		}
		indexEntries(&b, root, 0)
	}
	return b.Bytes()
}

func indexEntries(b *bytes.Buffer, c *cobra.Command, depth int) {
	fmt.Fprintf(b, "%s- [`%s`](%s)", strings.Repeat("  ", depth), c.CommandPath(), pageName(c))
	if c.Short != "" {
		fmt.Fprintf(b, ": %s", c.Short)
	}
	b.WriteString("\n")
	for _, sub := range children(c) {
		indexEntries(b, sub, depth+1)
	}
	for _, t := range topics(c) {
		topicEntries(b, t, depth+1)
	}
}

// topicEntries lists a help topic under the command it belongs to, as the
// user reads it: `sensuctl help exit-codes`.
func topicEntries(b *bytes.Buffer, t *cobra.Command, depth int) {
	path := t.Root().Name() + " help " + strings.TrimPrefix(t.CommandPath(), t.Root().Name()+" ")
	fmt.Fprintf(b, "%s- [`%s`](%s)", strings.Repeat("  ", depth), path, pageName(t))
	if t.Short != "" {
		fmt.Fprintf(b, ": %s", t.Short)
	}
	b.WriteString("\n")
	for _, sub := range topics(t) {
		topicEntries(b, sub, depth+1)
	}
}

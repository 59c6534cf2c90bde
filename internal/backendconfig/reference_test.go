package backendconfig

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the generated part of docs/backend.md")

// TestReferenceIsCurrent fails when docs/backend.md does not list the
// settings exactly as the table defines them. Fix with:
//
//	go test ./internal/backendconfig -run TestReferenceIsCurrent -update
func TestReferenceIsCurrent(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "backend.md")
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	begin := strings.Index(text, ReferenceBegin)
	end := strings.Index(text, ReferenceEnd)
	if begin < 0 || end < begin {
		t.Fatalf("%s lacks the reference markers", path)
	}
	var ref strings.Builder
	if err := WriteReference(&ref); err != nil {
		t.Fatal(err)
	}
	want := text[:begin+len(ReferenceBegin)] + "\n" + ref.String() + "\n" + text[end:]
	if want == text {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s is stale; run: go test ./internal/backendconfig -run TestReferenceIsCurrent -update", path)
}

func TestReferenceListsEverySetting(t *testing.T) {
	var ref strings.Builder
	if err := WriteReference(&ref); err != nil {
		t.Fatal(err)
	}
	for _, s := range Settings {
		if !strings.Contains(ref.String(), "`--"+s.Name+"`") || !strings.Contains(ref.String(), s.Env()) {
			t.Errorf("reference misses %s", s.Name)
		}
	}
	for _, want := range []string{"`http://127.0.0.1:2379`", "`300`", "`3000`", "`4294967296`", "`/var/lib/sensu/sensu-backend`", "`30s`"} {
		if !strings.Contains(ref.String(), want) {
			t.Errorf("reference lacks default %s", want)
		}
	}
}

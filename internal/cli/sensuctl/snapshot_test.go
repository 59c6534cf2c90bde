package sensuctl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSnapshotBadFiles(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	files := map[string][]byte{
		"empty.db": nil,
		"text.db":  []byte("hello\n"),
		"raw.db":   append(append(make([]byte, 16), 0xED, 0xDA, 0x0C, 0xED), make([]byte, 4096-20)...),
	}
	for name, data := range files {
		os.WriteFile(filepath.Join(dir, name), data, 0o600)
	}
	for _, tc := range []struct{ file, want string }{
		{"empty.db", "empty file"},
		{"text.db", "not an etcd snapshot"},
		{"raw.db", "--skip-hash-check"},
		{"missing.db", "no such file"},
	} {
		for _, cmd := range []string{"verify", "inspect"} {
			r := run(t, e, false, "snapshot", cmd, filepath.Join(dir, tc.file))
			oneErrorLine(t, r, ExitError, tc.want)
		}
		target := filepath.Join(dir, "target-"+tc.file)
		r := run(t, e, false, "snapshot", "restore", filepath.Join(dir, tc.file), "--data-dir", target,
			"--name", "x", "--initial-cluster", "x=http://127.0.0.1:1", "--initial-advertise-peer-urls", "http://127.0.0.1:1")
		oneErrorLine(t, r, ExitError, tc.want)
		if _, err := os.Stat(target); !os.IsNotExist(err) {
			t.Errorf("%s: restore created %s", tc.file, target)
		}
	}
	r := run(t, e, false, "snapshot", "restore", filepath.Join(dir, "text.db"))
	oneErrorLine(t, r, ExitUsage, "--data-dir, --name")
	if !strings.Contains(run(t, e, false, "snapshot", "restore-plan", filepath.Join(dir, "x.db")).stderr, "--members is required") {
		t.Error("restore-plan without --members")
	}
}

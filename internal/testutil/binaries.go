package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Binaries are the real sensu-backend and sensuctl, built from this tree, and
// a plain etcd server built from the etcd module.
type Binaries struct {
	Backend  string
	Sensuctl string
	Etcd     string
	// Etcdctl and Etcdutl are etcd's own tools (v3.7.3, tool dependencies in
	// go.mod), for interoperability tests.
	Etcdctl string
	Etcdutl string
}

var (
	buildOnce sync.Once
	buildDir  string
	built     Binaries
	buildErr  error
)

// BuildBinaries builds both commands once per test process (go's build cache
// makes later packages cheap). Call RunWithBinaries from TestMain so the
// directory is removed afterwards.
func BuildBinaries(t testing.TB) Binaries {
	t.Helper()
	buildOnce.Do(func() {
		root, err := moduleRoot()
		if err != nil {
			buildErr = err
			return
		}
		buildDir, err = os.MkdirTemp("", "sensu-bin-")
		if err != nil {
			buildErr = err
			return
		}
		cmd := exec.Command("go", "build", "-o", buildDir+string(os.PathSeparator), "./cmd/sensu-backend", "./cmd/sensuctl", "./internal/testutil/plainetcd",
			"go.etcd.io/etcd/etcdctl/v3", "go.etcd.io/etcd/etcdutl/v3")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		built = Binaries{Backend: filepath.Join(buildDir, "sensu-backend"), Sensuctl: filepath.Join(buildDir, "sensuctl"), Etcd: filepath.Join(buildDir, "plainetcd"),
			Etcdctl: filepath.Join(buildDir, "etcdctl"), Etcdutl: filepath.Join(buildDir, "etcdutl")}
	})
	if buildErr != nil {
		t.Fatalf("build binaries: %v", buildErr)
	}
	return built
}

// RunWithBinaries runs the tests and removes the binaries BuildBinaries made.
// Use as: func TestMain(m *testing.M) { os.Exit(testutil.RunWithBinaries(m)) }
func RunWithBinaries(m *testing.M) int {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	return code
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("not inside the module")
	}
	return filepath.Dir(gomod), nil
}

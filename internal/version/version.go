// Package version holds the build's version, set at link time by the release tooling.
package version

import (
	"runtime"
	"runtime/debug"

	etcdversion "go.etcd.io/etcd/api/v3/version"
)

// Set with -ldflags "-X github.com/sensu-etcd/sensu/internal/version.Version=...".
var (
	Version = "dev"
	Commit  = ""
	Date    = ""
)

// Info describes this build. JSON field names are a stable contract.
type Info struct {
	Version     string `json:"version"`
	Commit      string `json:"commit,omitempty"`
	Date        string `json:"date,omitempty"`
	GoVersion   string `json:"go_version"`
	EtcdVersion string `json:"etcd_version"`
}

// Get returns the build information, falling back to the module's VCS data for
// binaries built with plain `go build`.
func Get() Info {
	info := Info{Version: Version, Commit: Commit, Date: Date, GoVersion: runtime.Version(), EtcdVersion: etcdversion.Version}
	if info.Commit == "" {
		if bi, ok := debug.ReadBuildInfo(); ok {
			for _, s := range bi.Settings {
				switch s.Key {
				case "vcs.revision":
					info.Commit = s.Value
				case "vcs.time":
					if info.Date == "" {
						info.Date = s.Value
					}
				}
			}
		}
	}
	return info
}

// Line is the one-line form printed by `version` commands.
func (i Info) Line(program string) string {
	line := program + " version " + i.Version
	if i.Commit != "" {
		c := i.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		line += ", commit " + c
	}
	if i.Date != "" {
		line += ", built " + i.Date
	}
	return line + ", etcd " + i.EtcdVersion + ", " + i.GoVersion
}

package sensuctl

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"

	"github.com/sensu-etcd/sensu/internal/backup"
	"github.com/sensu-etcd/sensu/internal/cluster"
	"github.com/sensu-etcd/sensu/internal/etcdconn"
	"github.com/sensu-etcd/sensu/internal/output"
	"github.com/sensu-etcd/sensu/internal/version"
)

func newSnapshotCommand(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "snapshot",
		Short: "Save, inspect, verify and restore etcd snapshots of the store",
		Long:  "Back up and restore the whole store with etcd snapshots. See docs/backup.md.",
	}
	cmd.AddCommand(newSnapshotSaveCommand(f), newSnapshotInspectCommand(f), newSnapshotVerifyCommand(f),
		newSnapshotRestoreCommand(f), newSnapshotRestorePlanCommand(f))
	return cmd
}

type snapshotSaveOptions struct {
	Endpoint string
	Force    bool
}

func newSnapshotSaveCommand(f *Factory) *cobra.Command {
	opts := &snapshotSaveOptions{}
	cmd := &cobra.Command{
		Use:   "save FILE",
		Short: "Save a snapshot of the store from one member, checked while it streams",
		Long: "Save a point-in-time snapshot of one member's store into FILE (mode 0600).\n\n" +
			"Without --endpoint it picks a healthy member, preferring a learner, then a follower,\n" +
			"over the leader. The data streams into FILE.part; the SHA-256 that etcd appends is\n" +
			"checked as it arrives, then the file is synced and renamed, and FILE.meta.json is\n" +
			"written beside it (cluster, member, revision, size, SHA-256 of the file). A failed or\n" +
			"interrupted save leaves no file. An existing FILE is kept unless --force.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSnapshotSave(cmd.Context(), f, args[0], opts)
		},
	}
	cmd.Flags().StringVar(&opts.Endpoint, "endpoint", "", "client URL of the member to save from (default: chosen as described above)")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "overwrite FILE if it exists")
	return cmd
}

func runSnapshotSave(ctx context.Context, f *Factory, path string, opts *snapshotSaveOptions) error {
	conn, err := f.Conn()
	if err != nil {
		return err
	}
	endpoint := opts.Endpoint
	if endpoint == "" {
		endpoint, err = pickSnapshotSource(ctx, f, conn)
		if err != nil {
			return err
		}
	}
	one, err := f.ConnTo([]string{endpoint})
	if err != nil {
		return err
	}
	defer one.Close()
	var progress func(int64)
	if f.IO.ErrTerminal {
		var total int64
		last := time.Now()
		progress = func(n int64) {
			total += n
			if time.Since(last) > 200*time.Millisecond {
				fmt.Fprintf(f.IO.ErrOut, "\rsaving from %s: %s", endpoint, humanize.IBytes(uint64(total)))
				last = time.Now()
			}
		}
		defer fmt.Fprint(f.IO.ErrOut, "\r\033[K")
	}
	// Every message of the stream is a fresh 32 KiB of garbage on a tiny
	// live heap: collecting less often saves CPU the transfer needs.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	started := time.Now()
	name := ""
	if ms, err := cluster.ListMembers(ctx, conn.Client); err == nil {
		for _, m := range ms.Members {
			for _, u := range m.ClientURLs {
				if u == endpoint {
					name = m.Name
				}
			}
		}
	}
	meta, err := backup.Save(ctx, one.Client, endpoint, path, backup.SaveOptions{Force: opts.Force, Progress: progress, ToolVersion: version.Get().Version, MemberName: name})
	if err != nil {
		return one.Explain(ctx, err, "save a snapshot from "+endpoint)
	}
	took := time.Since(started)
	table := output.Table{Headers: []string{"Field", "Value"}, Rows: [][]string{
		{"File", path}, {"Size", humanize.IBytes(uint64(meta.Size))}, {"Revision", strconv.FormatInt(meta.Revision, 10)},
		{"Member", meta.MemberName + " (" + meta.MemberID + ")"}, {"Cluster ID", meta.ClusterID},
		{"etcd Storage Version", meta.EtcdVersion}, {"SHA-256", meta.SHA256},
		{"Took", fmt.Sprintf("%s (%s/s)", took.Round(time.Millisecond), humanize.IBytes(uint64(float64(meta.Size)/took.Seconds())))},
	}}
	return f.Printer().Print(output.Data{Table: table, Value: meta})
}

// pickSnapshotSource prefers a learner, then a follower, then the leader,
// among members that answer.
func pickSnapshotSource(ctx context.Context, f *Factory, conn *etcdconn.Conn) (string, error) {
	var endpoint string
	err := clusterCall(ctx, f, "choose a member to save from", 0, func(ctx context.Context, conn *etcdconn.Conn, dial cluster.Dialer) error {
		ms, err := cluster.InspectMembers(ctx, conn.Client, dial)
		if err != nil {
			return err
		}
		rank := map[string]int{cluster.RoleLearner: 0, cluster.RoleFollower: 1, cluster.RoleLeader: 2}
		best := 3
		for _, m := range ms.Members {
			if r, ok := rank[m.Role]; ok && m.Reachable && m.Error == "" && len(m.ClientURLs) > 0 && r < best {
				best, endpoint = r, m.ClientURLs[0]
			}
		}
		if endpoint == "" {
			return errors.New("no member answered; name one with --endpoint")
		}
		return nil
	})
	return endpoint, err
}

func newSnapshotInspectCommand(f *Factory) *cobra.Command {
	var opts backup.CheckOptions
	cmd := &cobra.Command{
		Use:   "inspect FILE",
		Short: "Show a snapshot's revision, keys, size, version and Sensu resources per type and namespace",
		Long: "Check FILE as verify does (its SHA-256 trailer, its structure, and FILE.meta.json\n" +
			"against the file when that sidecar is present), then show its revision, keys, size,\n" +
			"etcd storage version and the Sensu keys per type and namespace.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			warnIgnoredSidecar(f, args[0], opts.IgnoreSidecar)
			c, err := backup.Inspect(args[0], opts)
			if err != nil {
				return err
			}
			p := f.Printer()
			if p.Format != output.FormatTable {
				return p.Print(output.Data{Value: c})
			}
			info := output.Table{Headers: []string{"Field", "Value"}, Rows: [][]string{
				{"File", c.Path}, {"Size", humanize.IBytes(uint64(c.Size))}, {"SHA-256 Trailer", map[bool]string{true: "present, matches", false: "absent"}[c.HasHash]},
				{"Sidecar", c.Sidecar},
				{"Revision", strconv.FormatInt(c.Revision, 10)}, {"Total Keys", strconv.Itoa(c.TotalKeys)},
				{"etcd Storage Version", c.EtcdVersion}, {"Hash (CRC-32C)", strconv.FormatUint(uint64(c.Hash), 16)},
				{"Keys Outside /sensu.io", strconv.Itoa(c.OtherKeys)},
			}}
			if err := p.Print(output.Data{Table: info}); err != nil {
				return err
			}
			fmt.Fprintln(f.IO.Out)
			res := output.Table{Title: "=== Sensu keys", Headers: []string{"Type", "Namespace", "Keys"}}
			for _, r := range c.Resources {
				res.Rows = append(res.Rows, []string{r.Type, r.Namespace, strconv.Itoa(r.Count)})
			}
			return p.Print(output.Data{Table: res})
		},
	}
	cmd.Flags().BoolVar(&opts.SkipHashCheck, "skip-hash-check", false, "accept a file without etcd's SHA-256 trailer (a raw db file)")
	cmd.Flags().BoolVar(&opts.IgnoreSidecar, ignoreSidecarFlag, false, ignoreSidecarUsage)
	return cmd
}

const (
	ignoreSidecarFlag  = "ignore-sidecar"
	ignoreSidecarUsage = "do not compare FILE.meta.json with FILE (cluster ID, revision, size, SHA-256)"
)

// warnIgnoredSidecar says on stderr that a sidecar present is not compared.
func warnIgnoredSidecar(f *Factory, path string, ignore bool) {
	if ignore && backup.SidecarExists(path) {
		fmt.Fprintf(f.IO.ErrOut, "warning: %s: the sidecar %s was ignored (--ignore-sidecar): it was not compared with the file\n", path, backup.MetaPath(path))
	}
}

func newSnapshotVerifyCommand(f *Factory) *cobra.Command {
	var opts backup.CheckOptions
	var restoreTest bool
	cmd := &cobra.Command{
		Use:   "verify FILE",
		Short: "Check a snapshot's SHA-256 and database structure without writing anything",
		Long: "Check FILE: etcd's SHA-256 trailer, then the structure of the database. Nothing is\n" +
			"written. With --restore-test it also restores into a temporary directory, starts\n" +
			"etcd on it, checks the key count and revision, and removes the directory.\n\n" +
			"When FILE.meta.json (written by save) is present, its cluster ID, revision, size\n" +
			"and SHA-256 are compared with the file; a mismatch is refused, naming the field and\n" +
			"both values (--ignore-sidecar goes on without it).\n\n" +
			"Each problem has its own message: empty file, not a snapshot, truncated (cut\n" +
			"short), trailing bytes after the database, hash mismatch (damaged), missing hash\n" +
			"(a raw db file: use --skip-hash-check if you trust it), damaged structure, sidecar\n" +
			"mismatch.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			warnIgnoredSidecar(f, args[0], opts.IgnoreSidecar)
			info, err := backup.Verify(args[0], opts)
			if err != nil {
				return err
			}
			if restoreTest {
				if err := backup.RestoreTest(cmd.Context(), args[0], info); err != nil {
					return err
				}
			}
			table := output.Table{Headers: []string{"File", "Revision", "Keys", "SHA-256", "Sidecar", "Restore Test"},
				Rows: [][]string{{args[0], strconv.FormatInt(info.Revision, 10), strconv.Itoa(info.TotalKeys),
					map[bool]string{true: "ok", false: "absent (skipped)"}[info.HasHash], info.Sidecar, map[bool]string{true: "ok", false: "not run"}[restoreTest]}}}
			return f.Printer().Print(output.Data{Table: table, Value: info})
		},
	}
	cmd.Flags().BoolVar(&opts.SkipHashCheck, "skip-hash-check", false, "accept a file without etcd's SHA-256 trailer (a raw db file)")
	cmd.Flags().BoolVar(&opts.IgnoreSidecar, ignoreSidecarFlag, false, ignoreSidecarUsage)
	cmd.Flags().BoolVar(&restoreTest, "restore-test", false, "also restore into a temporary directory, start it and check it")
	return cmd
}

type snapshotRestoreOptions struct {
	backup.RestoreOptions
	PeerURLs string
}

func newSnapshotRestoreCommand(f *Factory) *cobra.Command {
	opts := &snapshotRestoreOptions{}
	cmd := &cobra.Command{
		Use:   "restore FILE --data-dir DIR --name NAME --initial-cluster N=URL,... --initial-advertise-peer-urls URL",
		Short: "Restore a snapshot offline into a new, empty data dir for one member of a new cluster",
		Long: "Write an etcd data dir for one member of a new cluster from FILE, offline. The target\n" +
			"must be empty or absent; a failure leaves nothing behind. The hash is verified unless\n" +
			"--skip-hash-check, and FILE.meta.json, when present, must describe FILE (cluster ID,\n" +
			"revision, size, SHA-256) unless --ignore-sidecar. The revision is bumped (by 1,000,000,000) and marked compacted, so\n" +
			"watchers and caches cannot mistake the restored store for the old history.\n\n" +
			"For sensu-backend members, 'sensu-backend start --restore-snapshot' does this with\n" +
			"the member's own settings; 'sensuctl snapshot restore-plan' prints them.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o := opts.RestoreOptions
			o.SnapshotPath = args[0]
			o.PeerURLs = splitList(opts.PeerURLs)
			if o.DataDir == "" || o.Name == "" || o.InitialCluster == "" || len(o.PeerURLs) == 0 {
				return usageError{errors.New("--data-dir, --name, --initial-cluster and --initial-advertise-peer-urls are required")}
			}
			warnIgnoredSidecar(f, o.SnapshotPath, o.IgnoreSidecar)
			res, err := backup.Restore(o)
			if err != nil {
				return err
			}
			table := output.Table{Headers: []string{"Data Dir", "Member", "Revision", "New Revision"},
				Rows: [][]string{{res.DataDir, o.Name, strconv.FormatInt(res.Revision, 10), strconv.FormatInt(res.NewRevision, 10)}}}
			return f.Printer().Print(output.Data{Table: table, Value: res})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.DataDir, "data-dir", "", "the new member's data dir (must be empty or absent)")
	fl.StringVar(&opts.WALDir, "wal-dir", "", "a separate WAL dir (default: inside the data dir)")
	fl.StringVar(&opts.Name, "name", "", "the member's name")
	fl.StringVar(&opts.InitialCluster, "initial-cluster", "", "every member of the new cluster, name=peer-url,...")
	fl.StringVar(&opts.PeerURLs, "initial-advertise-peer-urls", "", "this member's peer URLs")
	fl.StringVar(&opts.InitialClusterToken, "initial-cluster-token", "etcd-cluster", "the new cluster's token (the same on every member)")
	fl.BoolVar(&opts.SkipHashCheck, "skip-hash-check", false, "restore a file without etcd's SHA-256 trailer (a raw db file)")
	fl.BoolVar(&opts.IgnoreSidecar, ignoreSidecarFlag, false, ignoreSidecarUsage)
	fl.BoolVar(&opts.NoRevisionBump, "no-revision-bump", false, "keep the snapshot's revision (watchers may then see revisions go backwards)")
	return cmd
}

// RestorePlan is `snapshot restore-plan -o json`.
type RestorePlan struct {
	Snapshot       string              `json:"snapshot"`
	Token          string              `json:"initial_cluster_token"`
	InitialCluster string              `json:"initial_cluster"`
	Members        []RestorePlanMember `json:"members"`
}

// RestorePlanMember is one backend's part of a restore plan.
type RestorePlanMember struct {
	Name     string            `json:"name"`
	PeerURL  string            `json:"peer_url"`
	Settings map[string]string `json:"settings"`
	Command  string            `json:"command"`
}

func newSnapshotRestorePlanCommand(f *Factory) *cobra.Command {
	var members string
	var token string
	var ignoreSidecar bool
	cmd := &cobra.Command{
		Use:   "restore-plan FILE --members NAME=PEER_URL,...",
		Short: "Print, for each backend of a new cluster, how to start it restored from FILE",
		Long: "Print the sensu-backend command line that brings each backend of a whole cluster\n" +
			"back from one snapshot (-o json or -o yaml give the same settings as backend.yml\n" +
			"keys): every backend starts with --restore-snapshot FILE,\n" +
			"the same initial cluster and a fresh cluster token, and an empty state dir. Copy\n" +
			"FILE to each backend first. Client URLs are assumed on port 2379 of each peer host.",
		Example: "  sensuctl snapshot restore-plan /backups/store.db --members backend-1=https://10.0.0.1:2380,backend-2=https://10.0.0.2:2380,backend-3=https://10.0.0.3:2380",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if members == "" {
				return usageError{errors.New("--members is required: NAME=PEER_URL for every backend of the new cluster")}
			}
			warnIgnoredSidecar(f, args[0], ignoreSidecar)
			if _, err := backup.Verify(args[0], backup.CheckOptions{IgnoreSidecar: ignoreSidecar}); err != nil {
				return err
			}
			abs, _ := filepath.Abs(args[0])
			if token == "" {
				token = freshToken()
			}
			plan := RestorePlan{Snapshot: abs, Token: token, InitialCluster: members}
			for _, m := range splitList(members) {
				name, peer, ok := strings.Cut(m, "=")
				if !ok || name == "" || peer == "" {
					return usageError{fmt.Errorf("--members entry %q is not NAME=PEER_URL", m)}
				}
				client := strings.Join(guessClientURLs([]string{peer}), ",")
				if u, err := url.Parse(peer); err != nil || u.Host == "" {
					return usageError{fmt.Errorf("--members entry %q: %q is not a URL", m, peer)}
				}
				settings := [][2]string{
					{"restore-snapshot", abs}, {"etcd-name", name}, {"etcd-initial-cluster", members},
					{"etcd-initial-cluster-token", token}, {"etcd-initial-cluster-state", "new"},
					{"etcd-initial-advertise-peer-urls", peer}, {"etcd-listen-peer-urls", peer},
					{"etcd-advertise-client-urls", client}, {"etcd-listen-client-urls", client},
				}
				if ignoreSidecar {
					settings = append(settings, [2]string{"restore-snapshot-ignore-sidecar", "true"})
				}
				pm := RestorePlanMember{Name: name, PeerURL: peer, Settings: map[string]string{}}
				var cmdline strings.Builder
				cmdline.WriteString("sensu-backend start")
				for _, s := range settings {
					pm.Settings[s[0]] = s[1]
					if s[1] == "true" {
						fmt.Fprintf(&cmdline, " \\\n    --%s", s[0]) // a bool flag takes no separate value
						continue
					}
					fmt.Fprintf(&cmdline, " \\\n    --%s %s", s[0], shellQuote(s[1]))
				}
				pm.Command = cmdline.String()
				plan.Members = append(plan.Members, pm)
			}
			p := f.Printer()
			if p.Format != output.FormatTable {
				return p.Print(output.Data{Value: plan})
			}
			var b strings.Builder
			fmt.Fprintf(&b, "Restore plan for %d backends from %s (cluster token %s).\n", len(plan.Members), abs, token)
			b.WriteString("On every backend: stop it, empty its state dir, copy the snapshot to the same path,\nthen start it as shown (all of them; the cluster is ready once a quorum runs).\n")
			for _, m := range plan.Members {
				fmt.Fprintf(&b, "\n# %s\n%s\n", m.Name, m.Command)
			}
			b.WriteString("\nAfter all are healthy, remove restore-snapshot from their settings (it is skipped\nwhen the state dir already holds this restore, so leaving it is harmless).\n")
			_, err := fmt.Fprint(f.IO.Out, b.String())
			return err
		},
	}
	cmd.Flags().StringVar(&members, "members", "", "NAME=PEER_URL of every backend of the new cluster, comma-separated")
	cmd.Flags().StringVar(&token, "initial-cluster-token", "", "cluster token (default: a fresh one)")
	cmd.Flags().BoolVar(&ignoreSidecar, ignoreSidecarFlag, false, ignoreSidecarUsage+"; the plan then sets restore-snapshot-ignore-sidecar")
	return cmd
}

func freshToken() string {
	b := make([]byte, 4)
	rand.Read(b)
	return "sensu-restore-" + time.Now().UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b)
}

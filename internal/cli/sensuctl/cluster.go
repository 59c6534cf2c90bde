package sensuctl

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/AlecAivazis/survey/v2"
	"github.com/AlecAivazis/survey/v2/terminal"
	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/sensu-etcd/sensu/internal/cluster"
	"github.com/sensu-etcd/sensu/internal/etcdconn"
	"github.com/sensu-etcd/sensu/internal/output"
)

func newClusterCommand(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cluster",
		Short: "See the cluster and change its membership safely",
		Long: "See the etcd cluster inside the backends and change its membership safely.\n" +
			"Members are named by hex ID or by name everywhere. See docs/cluster.md.",
	}
	alarm := &cobra.Command{Use: "alarm", Short: "List or disarm etcd alarms (NOSPACE, CORRUPT)"}
	alarm.AddCommand(newAlarmListCommand(f), newAlarmDisarmCommand(f))
	cmd.AddCommand(
		newMemberListCommand(f), newHealthCommand(f), newIDCommand(f), newStatusCommand(f),
		newMemberAddCommand(f), newMemberPromoteCommand(f), newMemberRemoveCommand(f), newMemberUpdateCommand(f),
		newMoveLeaderCommand(f), newDefragCommand(f), newCompactCommand(f), alarm,
	)
	return cmd
}

// clusterCall runs fn with the connection and a per-member dialer, under the
// command timeout, and explains connection failures.
func clusterCall(ctx context.Context, f *Factory, action string, timeout time.Duration, fn func(ctx context.Context, conn *etcdconn.Conn, dial cluster.Dialer) error) error {
	conn, err := f.Conn()
	if err != nil {
		return err
	}
	if timeout <= 0 {
		timeout = conn.Config().DialTimeout + conn.Config().CommandTimeout
	}
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	dial := func(endpoints []string) (*clientv3.Client, error) {
		c, err := f.ConnTo(endpoints)
		if err != nil {
			return nil, err
		}
		return c.Client, nil
	}
	return conn.Explain(ctx, fn(rctx, conn, dial), action)
}

func inspect(ctx context.Context, conn *etcdconn.Conn, dial cluster.Dialer, ref string) (cluster.Members, cluster.Member, error) {
	ms, err := cluster.InspectMembers(ctx, conn.Client, dial)
	if err != nil {
		return ms, cluster.Member{}, err
	}
	if ref == "" {
		return ms, cluster.Member{}, nil
	}
	m, err := ms.Find(ref)
	return ms, m, err
}

func newMemberListCommand(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "member-list",
		Short: "List the members: role, URLs, raft progress, database size, and errors",
		Long: "List every member with its status (started/unstarted), role (leader, follower,\n" +
			"learner), URLs, raft term and indexes, database size, etcd version, or why it\n" +
			"could not be reached. Members that are down keep their row.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return clusterCall(cmd.Context(), f, "list members", 0, func(ctx context.Context, conn *etcdconn.Conn, dial cluster.Dialer) error {
				ms, _, err := inspect(ctx, conn, dial, "")
				if err != nil {
					return err
				}
				table := output.Table{
					Title:   "=== Etcd Cluster ID: " + ms.ClusterID,
					Headers: []string{"ID", "Name", "Status", "Role", "Peer URLs", "Client URLs", "Version", "DB Size (In Use)", "Raft Term/Index/Applied", "Error"},
				}
				for _, m := range ms.Members {
					db, raft := "", ""
					if m.Reachable {
						db = size(m.DBSize) + " (" + size(m.DBSizeInUse) + ")"
						raft = fmt.Sprintf("%d/%d/%d", m.RaftTerm, m.RaftIndex, m.RaftAppliedIndex)
					}
					problems := m.Error
					for _, a := range m.Alarms {
						problems = strings.TrimPrefix(problems+"; alarm "+a, "; ")
					}
					table.Rows = append(table.Rows, []string{m.ID, m.Name, m.Status, m.Role,
						strings.Join(m.PeerURLs, ","), strings.Join(m.ClientURLs, ","), m.Version, db, raft, problems})
				}
				return f.Printer().Print(output.Data{Table: table, Value: ms})
			})
		},
	}
}

func size(b int64) string {
	if b == 0 {
		return ""
	}
	return humanize.IBytes(uint64(b))
}

func newHealthCommand(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "health",
		Short: "Check every member with a quorum read, and list alarms; exit 3 if any is unhealthy",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return clusterCall(cmd.Context(), f, "check health", 0, func(ctx context.Context, conn *etcdconn.Conn, dial cluster.Dialer) error {
				h, err := cluster.Health(ctx, conn.Client, dial)
				if err != nil {
					return err
				}
				table := output.Table{Title: "=== Etcd Cluster ID: " + h.ClusterID, Headers: []string{"ID", "Name", "Endpoint", "Healthy", "Took", "Error"}}
				for _, m := range h.Members {
					table.Rows = append(table.Rows, []string{m.ID, m.Name, m.Endpoint, strconv.FormatBool(m.Healthy), fmt.Sprintf("%dms", m.TookMs), m.Error})
				}
				p := f.Printer()
				if err := p.Print(output.Data{Table: table, Value: h}); err != nil {
					return err
				}
				if p.Format == output.FormatTable && len(h.Alarms) > 0 {
					fmt.Fprintln(f.IO.Out)
					alarms := output.Table{Title: "=== Alarms", Headers: []string{"Member ID", "Alarm"}}
					for _, a := range h.Alarms {
						alarms.Rows = append(alarms.Rows, []string{a.MemberID, a.Alarm})
					}
					if err := p.Print(output.Data{Table: alarms, Value: h.Alarms}); err != nil {
						return err
					}
				}
				if !h.Healthy {
					return fmt.Errorf("%w: %s", ErrUnhealthy, unhealthySummary(h))
				}
				return nil
			})
		},
	}
}

func unhealthySummary(h cluster.HealthReport) string {
	var bad []string
	for _, m := range h.Members {
		if !m.Healthy {
			bad = append(bad, orDash(m.Name, m.ID))
		}
	}
	for _, a := range h.Alarms {
		bad = append(bad, "alarm "+a.Alarm+" on "+a.MemberID)
	}
	return strings.Join(bad, ", ")
}

func orDash(name, id string) string {
	if name == "" {
		return id
	}
	return name
}

// ClusterIDs is the output of `cluster id`.
type ClusterIDs struct {
	EtcdClusterID  string `json:"etcd_cluster_id"`
	SensuClusterID string `json:"sensu_cluster_id,omitempty"`
}

func newIDCommand(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "id",
		Short: "Print the etcd cluster ID and the Sensu cluster ID (set by sensu-backend init)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return clusterCall(cmd.Context(), f, "read cluster ID", 0, func(ctx context.Context, conn *etcdconn.Conn, dial cluster.Dialer) error {
				st, _, err := cluster.ClusterStatus(ctx, conn.Client, dial)
				if err != nil {
					return err
				}
				ids := ClusterIDs{EtcdClusterID: st.ClusterID, SensuClusterID: st.SensuClusterID}
				table := output.Table{Headers: []string{"Etcd Cluster ID", "Sensu Cluster ID"}, Rows: [][]string{{ids.EtcdClusterID, ids.SensuClusterID}}}
				return f.Printer().Print(output.Data{Table: table, Value: ids})
			})
		},
	}
}

func newStatusCommand(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Cluster ID, leader, revision, raft term, quorum, and how many failures it tolerates now",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return clusterCall(cmd.Context(), f, "read cluster status", 0, func(ctx context.Context, conn *etcdconn.Conn, dial cluster.Dialer) error {
				st, _, err := cluster.ClusterStatus(ctx, conn.Client, dial)
				if err != nil {
					return err
				}
				leader := "none"
				if st.Leader != "" {
					leader = st.LeaderName + " (" + st.Leader + ")"
				}
				table := output.Table{Headers: []string{"Field", "Value"}, Rows: [][]string{
					{"Etcd Cluster ID", st.ClusterID},
					{"Sensu Cluster ID", st.SensuClusterID},
					{"Leader", leader},
					{"Revision", strconv.FormatInt(st.Revision, 10)},
					{"Raft Term", strconv.FormatUint(st.RaftTerm, 10)},
					{"Members", fmt.Sprintf("%d (%d voters, %d learners)", st.Members, st.Voters, st.Learners)},
					{"Healthy Voters", strconv.Itoa(st.HealthyVoters)},
					{"Quorum", strconv.Itoa(st.Quorum)},
					{"Failure Tolerance", strconv.Itoa(st.FailureTolerance)},
				}}
				return f.Printer().Print(output.Data{Table: table, Value: st})
			})
		},
	}
}

type memberAddOptions struct {
	PeerURLs    []string
	ClientURLs  []string
	Voter       bool
	Wait        bool
	WaitTimeout time.Duration
}

// MemberAddReport is `member-add -o json`.
type MemberAddReport struct {
	cluster.AddResult
	Promoted bool `json:"promoted"`
}

func newMemberAddCommand(f *Factory) *cobra.Command {
	opts := &memberAddOptions{}
	cmd := &cobra.Command{
		Use:   "member-add NAME --peer-urls URL[,URL]",
		Short: "Add a member safely: pre-flight, as a learner, with the exact settings to start it",
		Long: "Add a member. Pre-flight checks first: the name and peer URLs are well-formed and\n" +
			"unused, and every member is started and healthy. The member is added as a learner,\n" +
			"which does not count towards the quorum, so the cluster keeps working while the new\n" +
			"backend starts. The command prints how to start it (sensu-backend flags, backend.yml\n" +
			"lines and environment variables, with etcd-initial-cluster-state existing).\n\n" +
			"With --wait it then waits for the new backend to start and catch up, promotes it to\n" +
			"a voter, and reports the new quorum and failure tolerance. Without --wait, promote it\n" +
			"later with 'sensuctl cluster member-promote NAME'.\n\n" +
			"--voter adds a voter directly, only when the cluster keeps a running quorum with the\n" +
			"new member not yet started (never for a one-member cluster).",
		Example: "  sensuctl cluster member-add backend-4 --peer-urls http://10.0.0.4:2380 --client-urls http://10.0.0.4:2379 --wait",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(opts.PeerURLs) == 0 {
				return usageError{errors.New("--peer-urls is required, e.g. --peer-urls http://10.0.0.4:2380")}
			}
			return runMemberAdd(cmd.Context(), f, args[0], opts)
		},
	}
	cmd.Flags().StringSliceVar(&opts.PeerURLs, "peer-urls", nil, "the new member's peer URLs (its etcd-initial-advertise-peer-urls)")
	cmd.Flags().StringSliceVar(&opts.ClientURLs, "client-urls", nil, "the new member's client URLs, for the printed settings (default: the peer host on port 2379)")
	cmd.Flags().BoolVar(&opts.Voter, "voter", false, "add a voter directly instead of a learner (refused when it would stall the cluster)")
	cmd.Flags().BoolVar(&opts.Wait, "wait", false, "wait for the new backend to start and catch up, then promote it")
	cmd.Flags().DurationVar(&opts.WaitTimeout, "wait-timeout", 10*time.Minute, "how long --wait waits before leaving the member a learner")
	return cmd
}

func runMemberAdd(ctx context.Context, f *Factory, name string, opts *memberAddOptions) error {
	progress := func(msg string) { fmt.Fprintln(f.IO.ErrOut, "sensuctl: "+msg) }
	var res cluster.AddResult
	err := clusterCall(ctx, f, "add member "+name, 90*time.Second, func(ctx context.Context, conn *etcdconn.Conn, dial cluster.Dialer) error {
		var err error
		res, err = cluster.AddMember(ctx, conn.Client, dial, name, opts.PeerURLs, opts.Voter, progress)
		return err
	})
	if err != nil {
		return err
	}
	clientURLs := opts.ClientURLs
	if len(clientURLs) == 0 {
		clientURLs = guessClientURLs(opts.PeerURLs)
	}
	report := MemberAddReport{AddResult: res}
	p := f.Printer()
	if p.Format == output.FormatTable {
		fmt.Fprint(f.IO.Out, startInstructions(res, clientURLs))
	}
	if opts.Wait {
		progress(fmt.Sprintf("waiting up to %s for %s to start and catch up (--wait)", opts.WaitTimeout, name))
		err := clusterCall(ctx, f, "wait for "+name, opts.WaitTimeout, func(ctx context.Context, conn *etcdconn.Conn, dial cluster.Dialer) error {
			if !res.Voter {
				if err := cluster.WaitAndPromote(ctx, conn.Client, dial, res.Member.RawID(), progress); err != nil {
					return err
				}
				report.Promoted = true
			}
			// Promoted (or voting) is not yet serving: wait until it answers.
			return cluster.WaitHealthy(ctx, conn.Client, dial, res.Member.RawID(), progress)
		})
		if err != nil {
			return err
		}
		err = clusterCall(ctx, f, "read cluster status", 0, func(ctx context.Context, conn *etcdconn.Conn, dial cluster.Dialer) error {
			st, _, err := cluster.ClusterStatus(ctx, conn.Client, dial)
			if err == nil {
				report.VotersAfter, report.QuorumAfter, report.ToleranceNow = st.Voters, st.Quorum, st.FailureTolerance
			}
			return err
		})
		if err != nil {
			return err
		}
		if p.Format == output.FormatTable {
			fmt.Fprintf(f.IO.Out, "\n%s is now a voter: %d voters, quorum %d, the cluster tolerates %d failure(s).\n",
				name, report.VotersAfter, report.QuorumAfter, report.ToleranceNow)
		}
	}
	if p.Format != output.FormatTable {
		return p.Print(output.Data{Value: report})
	}
	return nil
}

// guessClientURLs assumes the new backend serves clients on port 2379 of its
// peer host; the printed settings say so.
func guessClientURLs(peerURLs []string) []string {
	var out []string
	for _, raw := range peerURLs {
		u, err := url.Parse(raw)
		if err != nil {
			continue
		}
		out = append(out, u.Scheme+"://"+u.Hostname()+":2379")
	}
	return out
}

func startInstructions(res cluster.AddResult, clientURLs []string) string {
	kind := "learner (non-voting until promoted)"
	if res.Voter {
		kind = "voter"
	}
	peers := strings.Join(res.Member.PeerURLs, ",")
	clients := strings.Join(clientURLs, ",")
	settings := [][2]string{
		{"etcd-name", res.Member.Name},
		{"etcd-initial-cluster", res.InitialCluster},
		{"etcd-initial-cluster-state", "existing"},
		{"etcd-initial-advertise-peer-urls", peers},
		{"etcd-listen-peer-urls", peers},
		{"etcd-advertise-client-urls", clients},
		{"etcd-listen-client-urls", clients},
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Added member %s (%s) to cluster %s as a %s.\n\n", res.Member.Name, res.Member.ID, res.ClusterID, kind)
	b.WriteString("Start the new backend with an empty state dir and these settings (adjust the client\nURLs if it does not serve clients on port 2379 of its peer host):\n\n  sensu-backend start \\\n")
	for i, s := range settings {
		cont := " \\"
		if i == len(settings)-1 {
			cont = ""
		}
		fmt.Fprintf(&b, "    --%s %s%s\n", s[0], shellQuote(s[1]), cont)
	}
	b.WriteString("\nor in its backend.yml:\n\n")
	for _, s := range settings {
		fmt.Fprintf(&b, "  %s: %q\n", s[0], s[1])
	}
	b.WriteString("\nor as environment variables:\n\n")
	for _, s := range settings {
		fmt.Fprintf(&b, "  SENSU_BACKEND_%s=%s\n", strings.ToUpper(strings.ReplaceAll(s[0], "-", "_")), shellQuote(s[1]))
	}
	if !res.Voter {
		// Until it starts, etcd knows the member by ID only.
		fmt.Fprintf(&b, "\nOnce it runs, promote it: sensuctl cluster member-promote %s\n", res.Member.ID)
	}
	return b.String()
}

func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t'\"$`\\;&|<>*?()[]{}") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func newMemberPromoteCommand(f *Factory) *cobra.Command {
	var wait time.Duration
	cmd := &cobra.Command{
		Use:   "member-promote ID|NAME",
		Short: "Promote a learner to a voter once it has caught up",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return clusterCall(cmd.Context(), f, "promote "+args[0], wait+f.Options.CommandTimeout, func(ctx context.Context, conn *etcdconn.Conn, dial cluster.Dialer) error {
				ms, m, err := inspect(ctx, conn, dial, args[0])
				if err != nil {
					return err
				}
				if !m.IsLearner {
					return fmt.Errorf("%w: %s is already a voter", cluster.ErrRefused, m.Name)
				}
				if wait > 0 {
					err = cluster.WaitAndPromote(ctx, conn.Client, dial, m.RawID(), func(s string) { fmt.Fprintln(f.IO.ErrOut, "sensuctl: "+s) })
				} else {
					err = cluster.Promote(ctx, conn.Client, m.RawID())
				}
				if err != nil {
					return err
				}
				voters := len(ms.Voters()) + 1
				fmt.Fprintf(f.IO.ErrOut, "Promoted %s (%s): %d voters, quorum %d.\n", orDash(m.Name, m.ID), m.ID, voters, cluster.Quorum(voters))
				return nil
			})
		},
	}
	cmd.Flags().DurationVar(&wait, "wait", 0, "keep retrying while the learner catches up, up to this long")
	return cmd
}

type memberRemoveOptions struct {
	Force bool
	Yes   bool
}

func newMemberRemoveCommand(f *Factory) *cobra.Command {
	opts := &memberRemoveOptions{}
	cmd := &cobra.Command{
		Use:   "member-remove ID|NAME",
		Short: "Remove a member, refusing when the rest would lose quorum",
		Long: "Remove a member. A learner can always be removed. For a voter, the remaining\n" +
			"running voters must still form a quorum (--force overrides this when the missing\n" +
			"members are gone for good). When the member is the leader, leadership moves to a\n" +
			"healthy voter first. Asks for confirmation on a terminal; needs --yes otherwise.\n" +
			"Prints the failure tolerance before and after.\n\n" +
			"A cluster that has lost quorum (too few voters running) cannot commit any\n" +
			"change, this removal included: member-remove says so and exits 3, and so does\n" +
			"--force if the removal then fails. Restart the down members, or rebuild the\n" +
			"cluster from a snapshot (docs/backup.md).",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMemberRemove(cmd.Context(), f, args[0], opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Force, "force", false, "remove even if the remaining running voters would not form a quorum")
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation (required when stdin is not a terminal)")
	return cmd
}

func runMemberRemove(ctx context.Context, f *Factory, ref string, opts *memberRemoveOptions) error {
	return clusterCall(ctx, f, "remove member "+ref, 60*time.Second, func(ctx context.Context, conn *etcdconn.Conn, dial cluster.Dialer) error {
		ms, m, err := inspect(ctx, conn, dial, ref)
		if err != nil {
			return err
		}
		plan, err := cluster.PlanRemove(ms, m, opts.Force)
		if err != nil {
			return err
		}
		if !opts.Yes {
			if !f.IO.InTerminal {
				return usageError{fmt.Errorf("removing %s needs confirmation and stdin is not a terminal: pass --yes", orDash(m.Name, m.ID))}
			}
			ok := false
			q := &survey.Confirm{Message: fmt.Sprintf("Remove member %s (%s)? Failure tolerance goes from %d to %d.", orDash(m.Name, m.ID), m.ID, plan.ToleranceBefore, plan.ToleranceAfter)}
			if err := survey.AskOne(q, &ok, f.surveyStdio()); err != nil {
				if errors.Is(err, terminal.InterruptErr) {
					return errInterrupted
				}
				return err
			}
			if !ok {
				return errors.New("not removed")
			}
		}
		res, err := cluster.Remove(ctx, conn.Client, dial, ms, m, plan, func(s string) { fmt.Fprintln(f.IO.ErrOut, "sensuctl: "+s) })
		if err != nil {
			return err
		}
		p := f.Printer()
		if p.Format != output.FormatTable {
			return p.Print(output.Data{Value: res})
		}
		fmt.Fprintf(f.IO.Out, "Removed member %s (%s). Voters: %d → %d; failure tolerance: %d → %d.\n",
			orDash(m.Name, m.ID), m.ID, res.VotersBefore, res.VotersAfter, res.ToleranceBefore, res.ToleranceAfter)
		if res.MovedLeaderTo != "" {
			fmt.Fprintf(f.IO.Out, "Leadership moved to %s first.\n", res.MovedLeaderTo)
		}
		return nil
	})
}

func newMemberUpdateCommand(f *Factory) *cobra.Command {
	var peerURLs []string
	cmd := &cobra.Command{
		Use:   "member-update ID|NAME --peer-urls URL[,URL]",
		Short: "Change a member's peer URLs",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(peerURLs) == 0 {
				return usageError{errors.New("--peer-urls is required")}
			}
			return clusterCall(cmd.Context(), f, "update member "+args[0], 0, func(ctx context.Context, conn *etcdconn.Conn, dial cluster.Dialer) error {
				ms, m, err := inspect(ctx, conn, dial, args[0])
				if err != nil {
					return err
				}
				if err := cluster.Update(ctx, conn.Client, ms, m, peerURLs); err != nil {
					return err
				}
				fmt.Fprintf(f.IO.ErrOut, "Updated member %s (%s): peer URLs %s.\n", orDash(m.Name, m.ID), m.ID, strings.Join(peerURLs, ","))
				return nil
			})
		},
	}
	cmd.Flags().StringSliceVar(&peerURLs, "peer-urls", nil, "the member's new peer URLs")
	return cmd
}

func newMoveLeaderCommand(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "move-leader ID|NAME",
		Short: "Hand leadership to another voter",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return clusterCall(cmd.Context(), f, "move leadership to "+args[0], 0, func(ctx context.Context, conn *etcdconn.Conn, dial cluster.Dialer) error {
				ms, m, err := inspect(ctx, conn, dial, args[0])
				if err != nil {
					return err
				}
				from, err := cluster.MoveLeader(ctx, dial, ms, m)
				if err != nil {
					return err
				}
				if from.ID == m.ID {
					fmt.Fprintf(f.IO.ErrOut, "%s is already the leader.\n", m.Name)
					return nil
				}
				fmt.Fprintf(f.IO.ErrOut, "Leadership moved from %s to %s.\n", from.Name, m.Name)
				return nil
			})
		},
	}
}

func newDefragCommand(f *Factory) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "defrag [ID|NAME] [--cluster]",
		Short: "Defragment one member, or all (--cluster: followers first, the leader last after handing over)",
		Long: "Defragment members' databases to return freed space to the disk. A member blocks\n" +
			"reads and writes while it is defragmented; with --cluster the followers go first,\n" +
			"then leadership moves to one of them and the old leader goes last, so the cluster\n" +
			"is never without a serving leader. Compact first (sensuctl cluster compact):\n" +
			"defragmenting without compacting frees little.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if all == (len(args) == 1) {
				return usageError{errors.New("name one member or pass --cluster")}
			}
			return clusterCall(cmd.Context(), f, "defragment", 30*time.Minute, func(ctx context.Context, conn *etcdconn.Conn, dial cluster.Dialer) error {
				ref := ""
				if len(args) == 1 {
					ref = args[0]
				}
				ms, m, err := inspect(ctx, conn, dial, ref)
				if err != nil {
					return err
				}
				targets := []cluster.Member{m}
				if all {
					targets = nil
					for _, x := range ms.Members {
						if x.Reachable {
							targets = append(targets, x)
						}
					}
				}
				results, derr := cluster.Defrag(ctx, dial, ms, targets, func(s string) { fmt.Fprintln(f.IO.ErrOut, "sensuctl: "+s) })
				table := output.Table{Headers: []string{"ID", "Name", "DB Size Before", "DB Size After", "Took", "Error"}}
				for _, r := range results {
					table.Rows = append(table.Rows, []string{r.ID, r.Name, size(r.SizeBefore), size(r.SizeAfter), fmt.Sprintf("%dms", r.TookMs), r.Error})
				}
				if results == nil {
					results = []cluster.DefragResult{}
				}
				if err := f.Printer().Print(output.Data{Table: table, Value: results}); err != nil {
					return err
				}
				return derr
			})
		},
	}
	cmd.Flags().BoolVar(&all, "cluster", false, "defragment every reachable member, leader last")
	return cmd
}

func newCompactCommand(f *Factory) *cobra.Command {
	var rev int64
	var physical bool
	cmd := &cobra.Command{
		Use:   "compact [--revision N]",
		Short: "Drop the history before a revision (default: the current one)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return clusterCall(cmd.Context(), f, "compact", 0, func(ctx context.Context, conn *etcdconn.Conn, _ cluster.Dialer) error {
				res, err := cluster.Compact(ctx, conn.Client, rev, physical)
				if err != nil {
					return err
				}
				table := output.Table{Headers: []string{"Compacted To Revision", "Physical"}, Rows: [][]string{{strconv.FormatInt(res.Revision, 10), strconv.FormatBool(res.Physical)}}}
				return f.Printer().Print(output.Data{Table: table, Value: res})
			})
		},
	}
	cmd.Flags().Int64Var(&rev, "revision", 0, "compact up to this revision (0: the current revision)")
	cmd.Flags().BoolVar(&physical, "physical", false, "wait until the compaction is applied to the database files")
	return cmd
}

func newAlarmListCommand(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List active alarms",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return clusterCall(cmd.Context(), f, "list alarms", 0, func(ctx context.Context, conn *etcdconn.Conn, _ cluster.Dialer) error {
				alarms, err := cluster.Alarms(ctx, conn.Client)
				if err != nil {
					return err
				}
				return f.Printer().Print(output.Data{Table: alarmTable(alarms), Value: alarms})
			})
		},
	}
}

func newAlarmDisarmCommand(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "disarm",
		Short: "Disarm every active alarm (after freeing space: compact, then defrag)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return clusterCall(cmd.Context(), f, "disarm alarms", 0, func(ctx context.Context, conn *etcdconn.Conn, _ cluster.Dialer) error {
				alarms, err := cluster.DisarmAlarms(ctx, conn.Client)
				if err != nil {
					return err
				}
				fmt.Fprintf(f.IO.ErrOut, "Disarmed %d alarm(s).\n", len(alarms))
				return f.Printer().Print(output.Data{Table: alarmTable(alarms), Value: alarms})
			})
		},
	}
}

func alarmTable(alarms []cluster.Alarm) output.Table {
	t := output.Table{Headers: []string{"Member ID", "Alarm"}}
	for _, a := range alarms {
		t.Rows = append(t.Rows, []string{a.MemberID, a.Alarm})
	}
	return t
}

// Package access turns on etcd's own authentication for a Sensu store: a root
// user (etcd requires that exact name before auth can be enabled) and a
// read-only viewer limited to the Sensu keys.
package access

import (
	"context"
	"errors"
	"fmt"

	"go.etcd.io/etcd/api/v3/authpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/sensu-etcd/sensu/internal/keyspace"
)

// Names of what Enable creates.
const (
	RootUser   = "root"
	RootRole   = "root"
	ViewerUser = "viewer"
	ViewerRole = "viewer"
)

// ErrAlreadyEnabled is returned when authentication is already on.
var ErrAlreadyEnabled = errors.New("etcd authentication is already enabled")

// Setup holds the passwords; both are required.
type Setup struct {
	RootPassword   string
	ViewerPassword string
}

// Enable creates the users and roles (updating passwords of ones that exist)
// and enables authentication. After it, every client needs a user.
func Enable(ctx context.Context, cli *clientv3.Client, s Setup) error {
	if s.RootPassword == "" || s.ViewerPassword == "" {
		return errors.New("both the root and the viewer password are required")
	}
	st, err := cli.AuthStatus(ctx)
	if err != nil {
		return fmt.Errorf("read auth status: %w", err)
	}
	if st.Enabled {
		return ErrAlreadyEnabled
	}
	if err := ensureUser(ctx, cli, RootUser, s.RootPassword, RootRole); err != nil {
		return err
	}
	if _, err := cli.RoleAdd(ctx, ViewerRole); err != nil && !errors.Is(err, rpctypes.ErrRoleAlreadyExist) {
		return fmt.Errorf("add role %s: %w", ViewerRole, err)
	}
	for _, r := range viewerRanges() {
		if _, err := cli.RoleGrantPermission(ctx, ViewerRole, r[0], r[1],
			clientv3.PermissionType(authpb.Permission_READ)); err != nil {
			return fmt.Errorf("grant read on [%s, %s) to role %s: %w", r[0], r[1], ViewerRole, err)
		}
	}
	if err := ensureUser(ctx, cli, ViewerUser, s.ViewerPassword, ViewerRole); err != nil {
		return err
	}
	if _, err := cli.AuthEnable(ctx); err != nil {
		return fmt.Errorf("enable authentication: %w", err)
	}
	return nil
}

func ensureUser(ctx context.Context, cli *clientv3.Client, user, password, role string) error {
	if role == RootRole {
		if _, err := cli.RoleAdd(ctx, RootRole); err != nil && !errors.Is(err, rpctypes.ErrRoleAlreadyExist) {
			return fmt.Errorf("add role %s: %w", RootRole, err)
		}
	}
	_, err := cli.UserAdd(ctx, user, password)
	if errors.Is(err, rpctypes.ErrUserAlreadyExist) {
		_, err = cli.UserChangePassword(ctx, user, password)
	}
	if err != nil {
		return fmt.Errorf("add user %s: %w", user, err)
	}
	if _, err := cli.UserGrantRole(ctx, user, role); err != nil {
		return fmt.Errorf("grant role %s to %s: %w", role, user, err)
	}
	return nil
}

// viewerRanges are the key ranges the viewer may read: everything under
// /sensu.io/ except the secrets (users' password hashes, API keys). etcd
// grants are allow-lists, so the keyspace is cut around the secret prefixes.
func viewerRanges() [][2]string {
	var ranges [][2]string
	from := keyspace.Root + "/"
	for _, secret := range keyspace.SecretPrefixes { // sorted
		ranges = append(ranges, [2]string{from, secret})
		from = clientv3.GetPrefixRangeEnd(secret)
	}
	return append(ranges, [2]string{from, clientv3.GetPrefixRangeEnd(keyspace.Root + "/")})
}

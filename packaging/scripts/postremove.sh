#!/bin/sh
# sensu-backend post-removal script (deb postrm / rpm %postun).
#
# Arguments: deb passes "remove", "purge", "upgrade", "failed-upgrade",
# "abort-install", "abort-upgrade" or "disappear"; rpm passes 0 on erase and
# 1 on upgrade.
#
# Reloads systemd so it forgets the removed unit. The sensu user/group and
# the etcd data in /var/lib/sensu are deliberately kept, even on purge:
# deleting them would destroy this member's data. Remove them by hand if
# that is really wanted.
set -e

if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
	systemctl daemon-reload >/dev/null 2>&1 || true
fi

exit 0

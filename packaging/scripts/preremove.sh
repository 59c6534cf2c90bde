#!/bin/sh
# sensu-backend pre-removal script (deb prerm / rpm %preun).
#
# Arguments: deb passes "remove", "upgrade", "deconfigure" or
# "failed-upgrade"; rpm passes 0 on erase and 1 on upgrade.
#
# On removal (not on upgrade) the service is stopped and disabled, because
# its binary is about to disappear. Stopping leaves the etcd membership as
# it is: remove the member from the cluster first if it is not coming back.
set -e

have_systemd() {
	[ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1
}

case "$1" in
	remove | 0)
		if have_systemd; then
			systemctl stop sensu-backend.service >/dev/null 2>&1 || true
			systemctl disable sensu-backend.service >/dev/null 2>&1 || true
		fi
		;;
esac

exit 0

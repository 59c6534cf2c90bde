#!/bin/sh
# sensu-backend pre-install script (deb preinst / rpm %pre).
#
# Creates the "sensu" system group and user before the package files are
# unpacked, so that files and directories declared as owned by sensu get the
# right owner. Idempotent; postinstall.sh performs the same check again.
set -e

SENSU_USER=sensu
SENSU_GROUP=sensu
SENSU_HOME=/var/lib/sensu

nologin_shell() {
	for shell in /usr/sbin/nologin /sbin/nologin; do
		if [ -x "$shell" ]; then
			echo "$shell"
			return 0
		fi
	done
	echo /bin/false
}

ensure_user() {
	if ! getent group "$SENSU_GROUP" >/dev/null 2>&1; then
		groupadd --system "$SENSU_GROUP"
	fi
	if ! getent passwd "$SENSU_USER" >/dev/null 2>&1; then
		useradd --system \
			--gid "$SENSU_GROUP" \
			--home-dir "$SENSU_HOME" \
			--no-create-home \
			--shell "$(nologin_shell)" \
			--comment "Sensu backend" \
			"$SENSU_USER"
	fi
}

ensure_user

exit 0

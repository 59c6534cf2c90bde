#!/bin/sh
# sensu-backend post-install script (deb postinst / rpm %post).
#
# Arguments: deb passes "configure" (or "abort-*"), rpm passes 1 on first
# install and 2 on upgrade.
#
# - makes sure the "sensu" system user/group exist (no login shell,
#   home /var/lib/sensu);
# - fixes ownership of /var/lib/sensu and of the default config;
# - reloads systemd unit files when systemd is running.
#
# The service is never enabled, started or restarted from here: a backend is
# an etcd cluster member and the operator decides when it joins or restarts.
set -e

SENSU_USER=sensu
SENSU_GROUP=sensu
SENSU_HOME=/var/lib/sensu
STATE_DIR=/var/lib/sensu/sensu-backend
CONFIG_FILE=/etc/sensu/backend.yml

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

have_systemd() {
	[ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1
}

ensure_user

mkdir -p "$STATE_DIR"
chown -R "$SENSU_USER:$SENSU_GROUP" "$SENSU_HOME"
chmod 0750 "$SENSU_HOME"
chmod 0700 "$STATE_DIR"

if [ -f "$CONFIG_FILE" ]; then
	chgrp "$SENSU_GROUP" "$CONFIG_FILE"
fi

if have_systemd; then
	systemctl daemon-reload >/dev/null 2>&1 || true
fi

# Installation kind: deb passes "configure" plus the previously configured
# version (empty on a first install); rpm passes the number of installed
# versions (1 on a first install, 2 or more on upgrade).
first_install=false
upgrade=false
case "$1" in
	configure)
		if [ -z "$2" ]; then first_install=true; else upgrade=true; fi
		;;
	1) first_install=true ;;
	[2-9]) upgrade=true ;;
esac

if [ "$first_install" = true ]; then
	echo "sensu-backend installed. Review $CONFIG_FILE, then run:"
	echo "  systemctl enable --now sensu-backend"
elif [ "$upgrade" = true ] && have_systemd &&
	systemctl is-active --quiet sensu-backend.service; then
	echo "sensu-backend upgraded; the running service was not restarted."
	echo "Restart it when convenient: systemctl restart sensu-backend"
fi

exit 0

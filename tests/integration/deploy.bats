#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# The shipped integrations, as installed: contrib/systemd/sipregwatch.service
# (as this build makes it: the binaries' directory in ExecStart) run the
# way systemd runs it (its User, Group, UMask and directories), the Nagios
# command lines of contrib/ run as the nagios user, node_exporter (as
# prometheus) reading the metrics through the unit's textfile link, the cron
# line of contrib/ as its user, and the Icinga 2 definitions validated by
# icinga2 itself. Paths of the unit are taken below a scratch root, $ROOT.
# Needs root: it adds the unit's user and puts the readers in its group.

bats_require_minimum_version 1.5.0
load ../helpers

UNIT="$SIPREG_BUILDDIR/contrib/systemd/sipregwatch.service"
TEMPLATE="$SIPREG_BUILDDIR/contrib/systemd/sipregwatch@.service"

# The value of KEY in the unit (the last one; continuation lines joined).
unit_value() {
	sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$UNIT" | sed -n "s/^$1=//p" | tail -1
}

# The mode systemd gives a directory of the unit (KEY=RuntimeDirectoryMode...).
unit_mode() {
	local m
	m=$(unit_value "$1")
	echo "${m:-0755}"
}

# The command $1 with the unit's absolute paths moved below $ROOT.
rooted() {
	sed -E "s#(^|[ =])/(run|var|etc|usr/local/bin)/#\\1$ROOT/\\2/#g" <<<"$1"
}

# Run $2... as user $1 with its groups (as systemd and cron do) and umask $UM.
# With AS_EXEC=1 the shell is replaced: in the background, $! is then the
# command's own PID.
as_user() {
	local u=$1
	shift
	${AS_EXEC:+exec} setpriv --reuid "$u" --regid "$(id -gn "$u")" --init-groups -- \
		sh -c "umask ${UM:-0022}; exec \"\$@\"" sh "$@"
}

setup_file() {
	if [ "$(id -u)" -ne 0 ]; then
		[ "${SIPREG_PEERS_REQUIRED:-0}" = 1 ] && { echo "deploy.bats needs root" >&2; return 1; }
		skip "needs root (adds users)"
	fi
	need setpriv
	need prometheus-node-exporter
	need icinga2
	kam_start_alice
	U=$(unit_value User)
	G=$(unit_value Group)
	id "$U" >/dev/null 2>&1 ||
		useradd --system --user-group --home-dir /nonexistent --shell /usr/sbin/nologin "$U"
	id nagios >/dev/null 2>&1 ||
		useradd --system --user-group --home-dir /nonexistent --shell /usr/sbin/nologin nagios
	usermod -a -G "$G" nagios
	usermod -a -G "$G" prometheus
	ROOT=$(mktemp -d /tmp/sipreg-deploy.XXXXXX)
	chmod 0755 "$ROOT"
	# what systemd makes of the unit's directories
	install -d -o "$U" -g "$G" -m "$(unit_mode RuntimeDirectoryMode)" \
		"$ROOT/run/$(unit_value RuntimeDirectory)"
	install -d -o "$U" -g "$G" -m "$(unit_mode StateDirectoryMode)" \
		"$ROOT/var/lib/$(unit_value StateDirectory)"
	install -d -o "$U" -g "$G" -m "$(unit_mode LogsDirectoryMode)" \
		"$ROOT/var/log/$(unit_value LogsDirectory)"
	# Debian's node_exporter textfile directory: root's, 0755
	install -d -m 0755 "$ROOT/var/lib/prometheus/node-exporter" "$ROOT/usr/local/bin"
	install -m 0755 "$SIPREG_BUILDDIR"/sipreg "$SIPREG_BUILDDIR"/sipregwatch \
		"$SIPREG_BUILDDIR"/sipauthcheck "$ROOT/usr/local/bin/"
	# the install steps of the unit's header: /etc/sipreg, 0600 files of sipreg
	install -d -m 0755 "$ROOT/etc/sipreg"
	make_pwfile "$ROOT/etc/sipreg/alice.pw" alice-secret
	cat >"$ROOT/etc/sipreg/trunks.yaml" <<YAML
defaults: { server_uri: "sip:127.0.0.1:$KAM_UDP", max_random_initial_delay: 0 }
registrations:
  trunk-a:
    client_uri: sip:alice@127.0.0.1
    contact_user: deployunit
    password_file: alice.pw
    expiration: 600
YAML
	chown "$U:$G" "$ROOT/etc/sipreg/trunks.yaml" "$ROOT/etc/sipreg/alice.pw"
	chmod 0600 "$ROOT/etc/sipreg/trunks.yaml"
	export U G ROOT
	start_unit
}

# ExecStartPre (a + runs as root, a - may fail) and ExecStart as the unit's
# user, group and umask, in the background: WPID.
start_unit() {
	local pre cmd
	while IFS= read -r pre; do
		cmd=$(rooted "${pre#"${pre%%/*}"}")
		case ${pre%%/*} in
		*+*) eval "$cmd" || [[ ${pre%%/*} == *-* ]] ;;
		*) UM=$(unit_value UMask) eval as_user "$U" "$cmd" || [[ ${pre%%/*} == *-* ]] ;;
		esac
	done < <(sed -n 's/^ExecStartPre=//p' "$UNIT")
	# the binary of ExecStart is the one installed below $ROOT
	cmd=$(unit_value ExecStart)
	cmd="$ROOT/usr/local/bin/$(basename "${cmd%% *}") $(rooted "${cmd#* }")"
	eval "AS_EXEC=1 UM=$(unit_value UMask) as_user \"\$U\" $cmd" \
		>"$BATS_FILE_TMPDIR/watch.out" 2>"$BATS_FILE_TMPDIR/watch.err" 3>&- &
	WPID=$!
	export WPID
	local i
	for i in $(seq 1 100); do
		[ -f "$ROOT/run/sipreg/status.json" ] &&
			jq -e '.registrations[0].state == "registered"' "$ROOT/run/sipreg/status.json" \
				>/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "the unit's sipregwatch did not register: $(cat "$BATS_FILE_TMPDIR/watch.err")" >&2
	return 1
}

teardown_file() {
	[ -n "${WPID:-}" ] && kill -TERM "$WPID" 2>/dev/null
	[ -f "$BATS_FILE_TMPDIR/nx.pid" ] && kill "$(cat "$BATS_FILE_TMPDIR/nx.pid")" 2>/dev/null
	kam_stop
	[ -n "${ROOT:-}" ] && rm -rf "$ROOT"
	return 0
}

@test "systemd-analyze verifies the unit and an instance of the template" {
	need systemd-analyze
	sed "s#^ExecStart=[^ ]*#ExecStart=$SIPREG_BUILDDIR/sipregwatch#" "$UNIT" \
		>"$BATS_TEST_TMPDIR/sipregwatch.service"
	run systemd-analyze verify --man=no "$BATS_TEST_TMPDIR/sipregwatch.service"
	echo "$output"
	[ "$status" -eq 0 ]
	sed "s#^ExecStart=[^ ]*#ExecStart=$SIPREG_BUILDDIR/sipregwatch#" "$TEMPLATE" \
		>"$BATS_TEST_TMPDIR/sipregwatch@trunks.service"
	run systemd-analyze verify --man=no "$BATS_TEST_TMPDIR/sipregwatch@trunks.service"
	echo "$output"
	[ "$status" -eq 0 ]
	# the instance's files are its own
	grep -q -- '-f /etc/sipreg/%i.yaml' "$TEMPLATE"
	grep -q -- '--status-file /run/sipreg/%i.json' "$TEMPLATE"
}

@test "make install puts both units into the systemd unit directory" {
	run make -C "$SIPREG_BUILDDIR" -s install DESTDIR="$BATS_TEST_TMPDIR/inst"
	echo "$output"
	[ "$status" -eq 0 ]
	unit=$(find "$BATS_TEST_TMPDIR/inst" -path '*/systemd/system/sipregwatch.service')
	template=$(find "$BATS_TEST_TMPDIR/inst" -path '*/systemd/system/sipregwatch@.service')
	[ -n "$unit" ]
	[ -n "$template" ]
	# ExecStart names the installed binary, an absolute path
	bin=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$template")
	[[ "$bin" == /*/sipregwatch ]]
	[ -x "$BATS_TEST_TMPDIR/inst$bin" ]
}

@test "the unit writes only into its own directories, which ProtectSystem=strict leaves writable" {
	[ "$(unit_value ProtectSystem)" = strict ]
	ours="/run/$(unit_value RuntimeDirectory)/ /var/lib/$(unit_value StateDirectory)/ /var/log/$(unit_value LogsDirectory)/ $(unit_value ReadWritePaths)"
	written=$(unit_value ExecStart | grep -oE -- '--(events|status-file|prometheus-file) [^ ]+' | cut -d' ' -f2)
	[ "$(wc -l <<<"$written")" -eq 3 ]
	for f in $written; do
		ok=0
		for d in $ours; do [[ $f == "$d"* ]] && ok=1; done
		[ $ok -eq 1 ] || { echo "$f is outside $ours"; false; }
	done
	# the status file outlives a clean stop, so that --check says "stopped"
	[ "$(unit_value RuntimeDirectoryPreserve)" = yes ]
}

@test "the unit's files are for its readers' group: status, metrics and events 0640" {
	wait_file "$ROOT/var/lib/sipreg/sipreg.prom"
	for f in run/sipreg/status.json var/lib/sipreg/sipreg.prom var/log/sipreg/events.jsonl; do
		run stat -c '%a %U %G' "$ROOT/$f"
		[ "$output" = "640 $U $G" ]
	done
}

@test "the shipped check_sipregwatch, run as nagios, is OK" {
	line=$(sed -n '/command_name *check_sipregwatch$/,/}/s/^ *command_line *//p' \
		"$SIPREG_SRCDIR/contrib/nagios-sipreg.cfg")
	[ -n "$line" ]
	run eval as_user nagios "$(rooted "$line")"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == "SIPREGWATCH OK - 1 of 1 registered"* ]]
}

@test "the shipped check_sip_registration, run as nagios with its password file, is OK" {
	line=$(sed -n '/command_name *check_sip_registration$/,/}/s/^ *command_line *//p' \
		"$SIPREG_SRCDIR/contrib/nagios-sipreg.cfg")
	[ -n "$line" ]
	# $USER10$: the nagios user's own directory of password files
	install -d -o nagios -g nagios -m 0700 "$ROOT/secrets"
	make_pwfile "$ROOT/secrets/alice.pw" alice-secret
	chown nagios "$ROOT/secrets/alice.pw"
	line=${line//\$USER10\$/$ROOT/secrets}
	line=${line//\$ARG1\$/sip:alice@127.0.0.1}
	line=${line//\$ARG2\$/sip:127.0.0.1:$KAM_UDP}
	line=${line//\$ARG3\$/alice.pw}
	run eval as_user nagios "$(rooted "$line")"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == "SIPREG OK - "* ]]
}

@test "node_exporter, as prometheus, serves the metrics through the unit's textfile link" {
	wait_file "$ROOT/var/lib/sipreg/sipreg.prom"
	[ -L "$ROOT/var/lib/prometheus/node-exporter/sipreg.prom" ]
	port=$(free_udp_port)
	AS_EXEC=1 as_user prometheus prometheus-node-exporter --web.listen-address="127.0.0.1:$port" \
		--collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$ROOT/var/lib/prometheus/node-exporter" \
		>"$BATS_TEST_TMPDIR/nx.log" 2>&1 3>&- &
	echo $! >"$BATS_FILE_TMPDIR/nx.pid"
	listening "$port"
	run curl -sS "http://127.0.0.1:$port/metrics"
	kill "$(cat "$BATS_FILE_TMPDIR/nx.pid")"
	[ "$status" -eq 0 ]
	[[ "$output" == *'sipreg_registered{name="trunk-a"} 1'* ]]
	[[ "$output" == *"node_textfile_scrape_error 0"* ]]
}

@test "the cron example, as its user, probes the unit's file and leaves the unit's binding" {
	line=$(grep -v '^#' "$SIPREG_SRCDIR/contrib/cron-sipreg" | grep .)
	read -r _ _ _ _ _ user cmd <<<"$line"
	[ "$user" = "$U" ]
	cmd=${cmd%%||*}
	before=$(kam_bindings alice)
	[[ "$before" == *"sip:deployunit@"* ]]
	# as cron runs it: /bin/sh, PATH=/usr/bin:/bin, no terminal
	rooted "$cmd" >"$ROOT/cron.sh"
	chmod 0644 "$ROOT/cron.sh"
	run setpriv --reuid "$user" --regid "$(id -gn "$user")" --init-groups -- \
		env -i PATH=/usr/bin:/bin /bin/sh "$ROOT/cron.sh" </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(kam_bindings alice)" = "$before" ]
}

@test "the Icinga 2 CheckCommands validate in icinga2, with a service of each" {
	# icinga2 reads its configuration as the nagios user
	install -m 0644 "$SIPREG_SRCDIR/contrib/icinga2-sipreg.conf" "$ROOT/"
	cat >"$ROOT/icinga2.conf" <<CONF
include <itl>
include "$ROOT/icinga2-sipreg.conf"
object Host "sip" { check_command = "dummy" }
apply Service "trunk" { check_command = "sipreg"; vars.sipreg_aor = "sip:alice@127.0.0.1"; assign where true }
apply Service "creds" { check_command = "sipauthcheck"; vars.sipreg_aor = "sip:alice@127.0.0.1"; assign where true }
apply Service "watch" { check_command = "sipregwatch"; assign where true }
CONF
	chmod 0644 "$ROOT/icinga2.conf"
	run icinga2 daemon -C -x critical -c "$ROOT/icinga2.conf"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "after the unit stops, check_sipregwatch as nagios says stopped" {
	kill -TERM "$WPID"
	for i in $(seq 1 100); do
		kill -0 "$WPID" 2>/dev/null || break
		sleep 0.05
	done
	line=$(sed -n '/command_name *check_sipregwatch$/,/}/s/^ *command_line *//p' \
		"$SIPREG_SRCDIR/contrib/nagios-sipreg.cfg")
	run eval as_user nagios "$(rooted "$line")"
	echo "$output"
	[[ "$output" == *"stopped: sipregwatch ended"* ]]
}

wait_file() {
	local i
	for i in $(seq 1 50); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	echo "no $1" >&2
	return 1
}

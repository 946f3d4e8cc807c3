# SPDX-License-Identifier: BSD-2-Clause
# The fault suite's network: a namespace of the test's own (as root), with
# only its loopback up, a Kamailio inside it, and iptables rules that drop,
# partition or cut what the test says. Nothing outside the namespace is
# touched; the registrar's view is read over its control socket (a path,
# reachable from outside the namespace).
load ../helpers

# Make the namespace NS_NAME and start Kamailio in it (KAM_* as kam_start).
# A namespace that cannot be made, or a Kamailio that does not start, is a
# failure: scripts/test runs as root with iptables installed.
ns_setup() {
	need kamailio
	need iptables
	NS_NAME="srf-$$-${BATS_TEST_NUMBER:-0}"
	ip netns add "$NS_NAME"
	in_ns ip link set lo up
	KAM_DIR=$(mktemp -d "${BATS_FILE_TMPDIR:-/tmp}/kam.XXXXXX")
	local out
	out=$(in_ns env KAM_SHM="${KAM_SHM:-64}" KAM_CHILDREN="${KAM_CHILDREN:-2}" \
		"$REGISTRAR" start "$KAM_DIR" "${1:-MD5}") || return 1
	eval "$out"
	export NS_NAME KAM_DIR KAM_UDP KAM_TCP KAM_TLS KAM_WS KAM_WSS KAM_MTLS KAM_CA
	kam_ready
}

# Stop what the test started, by the PIDs it kept in NS_PIDS, then Kamailio
# and the namespace.
ns_teardown() {
	local p
	for p in ${NS_PIDS:-}; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in ${NS_PIDS:-}; do
		for _ in $(seq 1 100); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null || true
	done
	[ -n "${KAM_DIR:-}" ] && in_ns "$REGISTRAR" stop "$KAM_DIR"
	[ -n "${NS_NAME:-}" ] && ip netns del "$NS_NAME" 2>/dev/null
	return 0
}

in_ns() {
	ip netns exec "$NS_NAME" "$@"
}

# Start a command in the namespace in the background; its PID is kept for
# ns_teardown and printed in NS_LAST (ip netns exec execs the command: the
# PID is the command's own, not a subshell's). It gets no bats fd 3, which
# would keep bats waiting for it at the end of the file.
ns_spawn() {
	ip netns exec "$NS_NAME" "$@" 3>&- &
	NS_LAST=$!
	NS_PIDS="${NS_PIDS:-} $NS_LAST"
}

# Every rule drops on INPUT only. On loopback each packet, whichever way it
# goes, passes INPUT once; a DROP on OUTPUT would fail the sender's own
# sendto() with EPERM, which no lost packet on a real network does.

# PCT percent of UDP packets dropped each way (iptables' statistic match);
# 0 removes the rule.
ns_loss() {
	local p
	while in_ns iptables -D INPUT -p udp -m statistic --mode random \
		--probability "${NS_LOSS_P:-0}" -j DROP 2>/dev/null; do :; done
	[ "$1" = 0 ] && return 0
	p=$(awk -v l="$1" 'BEGIN { printf "%.4f", l / 100 }')
	NS_LOSS_P=$p
	in_ns iptables -A INPUT -p udp -m statistic --mode random --probability "$p" -j DROP
}

# A partition of the registrar's ports (every packet to or from them is
# dropped, no RST, no ICMP): on, or off.
ns_partition() {
	local op=-A port dir
	[ "$1" = off ] && op=-D
	for port in $KAM_UDP $KAM_TCP $KAM_TLS $KAM_WS $KAM_WSS; do
		for dir in --dport --sport; do
			in_ns iptables "$op" INPUT -p udp "$dir" "$port" -j DROP 2>/dev/null || true
			in_ns iptables "$op" INPUT -p tcp "$dir" "$port" -j DROP 2>/dev/null || true
		done
	done
}

# The registrar's own count of bindings (usrloc's location_contacts).
kam_contacts() {
	kamcmd -s "unix:$KAM_DIR/ctl.sock" stats.get_statistics location_contacts 2>/dev/null |
		sed -n 's/.*= *//p'
}

# Restart Kamailio on the same ports: its bindings are gone.
kam_restart() {
	in_ns "$REGISTRAR" restart "$KAM_DIR"
}

# Wait (at most $2 seconds, a test's own bound) until the registrar holds
# at least $1 bindings; the count is left in KAM_N.
kam_wait_contacts() {
	local want=$1 limit=${2:-60} i
	for i in $(seq 1 $((limit * 10))); do
		KAM_N=$(kam_contacts)
		[ "${KAM_N:-0}" -ge "$want" ] && return 0
		sleep 0.1
	done
	echo "the registrar holds ${KAM_N:-0} bindings, not $want, after ${limit} s" >&2
	return 1
}

#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# Connections of sipregwatch in a network namespace of the test's own,
# against Kamailio there: a flow that goes silent (established packets
# dropped, no FIN, no RST) is replaced, with and without outbound, twice in
# a row; a registrar restart is followed by a new connection; a reload that
# drops a TLS registrar closes its connection and tunnel. What is checked
# is the registrar's own view (its bindings and the connection each came
# over, kamcmd ul.dump) and the kernel's (ss in the namespace). Bounds are
# generous: timing is for bench/, not for assertions.

bats_require_minimum_version 1.5.0
load netns

# each case waits for two reconnections with generous bounds
export BATS_TEST_TIMEOUT=400

WATCH="$SIPREG_BUILDDIR/sipregwatch"
N=20

setup() {
	CU="c${BATS_TEST_NUMBER}r$RANDOM"
	EV="$BATS_TEST_TMPDIR/ev"
	PW="$BATS_TEST_TMPDIR/alice.pw"
	make_pwfile "$PW" alice-secret
	ns_setup MD5
}

teardown() {
	ns_teardown
}

# The watch's configuration: $N registrations of alice (contact users
# ${CU}1..N) over transport $1 to port $2, support_outbound $3,
# keep_alive_interval $4; expiration 600 so that no refresh of its own
# falls inside a test.
conn_yaml() {
	local i tls=""
	[ "$1" = tls ] && tls="tls_ca_file: $KAM_CA,"
	{
		cat <<YAML
defaults: { max_random_initial_delay: 0, retry_interval: 2, expiration: 600, audit_interval: 0,
            password_file: $PW, client_uri: "sip:alice@127.0.0.1", $tls
            server_uri: "sip:127.0.0.1:$2;transport=$1", support_outbound: $3,
            keep_alive_interval: $4 }
registrations:
YAML
		for i in $(seq 1 "$N"); do
			echo "  r$i: { contact_user: ${CU}$i }"
		done
	} >"${5:-$BATS_TEST_TMPDIR/w.yaml}"
}

# Start the watch in the namespace on $1 (WPID).
watch_start_ns() {
	ns_spawn "$WATCH" -f "$1" --events "$EV" -t 5 2>"$BATS_TEST_TMPDIR/w.err" </dev/null
	WPID=$NS_LAST
}

# The local ports of the watch's established connections to port $1, one
# a line, sorted (the kernel's view, in the namespace).
watch_ports() {
	in_ns ss -Htnp state established "( dport = :$1 )" | grep "pid=$WPID," |
		awk '{ n = split($3, a, ":"); print a[n] }' | sort -u
}

# The registrar's view of our bindings: "contact-user tcpconn-id", one a
# line, sorted (Kamailio's ul.dump; the id is the connection the binding
# came over).
kam_conns() {
	kamcmd -s "unix:$KAM_DIR/ctl.sock" ul.dump 2>/dev/null | awk -v cu="$CU" '
		/Address:/ { u = ""; if (match($0, "sip:" cu "[0-9]+@")) u = substr($0, RSTART + 4, RLENGTH - 5) }
		/Tcpconn-Id:/ && u != "" { print u, $2; u = "" }' | sort
}

# Wait (at most $2 s) until all $N bindings of ours are at the registrar
# and none came over a connection id listed in $1 (space separated); the
# ids they came over are left in IDS.
wait_moved() {
	local old=" $1 " limit=${2:-90} i n bad conns
	for i in $(seq 1 "$limit"); do
		conns=$(kam_conns)
		IDS=$(awk '{print $2}' <<<"$conns" | sort -u | xargs)
		n=$(grep -c . <<<"$conns" || true)
		bad=0
		for id in $IDS; do
			[[ $old == *" $id "* || $id == -1 ]] && bad=1
		done
		if [ "$n" -ge "$N" ] && [ "$bad" = 0 ]; then
			return 0
		fi
		sleep 1
	done
	echo "after ${limit} s: $n bindings over connections $IDS (old: $1)" >&2
	echo "$conns" >&2
	return 1
}

# Drop the flow between the registrar's port $1 and our port $2, both
# ways, silently: no FIN, no RST reaches either side (a NAT that forgot
# it). Only that flow: a new connection passes. (ns_drop_flows drops by
# conntrack state, and the SYN-ACK of a new connection is ESTABLISHED to
# conntrack: it would cut the new connections too.)
drop_flow() {
	local chain
	for chain in INPUT OUTPUT; do
		in_ns iptables -I "$chain" -p tcp --sport "$2" --dport "$1" -j DROP
		in_ns iptables -I "$chain" -p tcp --sport "$1" --dport "$2" -j DROP
	done
}

# Drop the watch's flows to port $1 silently, then wait until every
# binding came over a new connection: twice in a row.
silent_drop_twice() {
	local port=$1 round ports ids p
	wait_moved "" 60
	for round in 1 2; do
		ids=$IDS
		ports=$(watch_ports "$port" | xargs)
		echo "round $round: flows from $ports, registrar's connections $ids" >&3
		[ -n "$ports" ]
		for p in $ports; do
			drop_flow "$port" "$p"
		done
		wait_moved "$ids" 90
		# the watch's flows now: none of the dropped ones
		for p in $(watch_ports "$port"); do
			[[ " $ports " != *" $p "* ]]
		done
	done
	[ "$(kam_contacts)" -ge "$N" ]
}

@test "a silent TCP flow without outbound is replaced and all re-registered, twice" {
	conn_yaml tcp "$KAM_TCP" no 10
	watch_start_ns "$BATS_TEST_TMPDIR/w.yaml"
	silent_drop_twice "$KAM_TCP"
	kill -0 "$WPID"
}

@test "a silent TLS flow without outbound is replaced and all re-registered, twice" {
	conn_yaml tls "$KAM_TLS" no 10
	watch_start_ns "$BATS_TEST_TMPDIR/w.yaml"
	silent_drop_twice "$KAM_TLS"
	kill -0 "$WPID"
}

@test "a silent TCP flow with outbound is replaced and all re-registered, twice" {
	conn_yaml tcp "$KAM_TCP" yes 10
	watch_start_ns "$BATS_TEST_TMPDIR/w.yaml"
	silent_drop_twice "$KAM_TCP"
	[ "$(jq -s '[.[] | select(.event == "registered")][0].outbound' "$EV")" = true ]
}

# Restart the registrar (its bindings are gone, its ports the same) and
# wait until all $N are back and the watch's flow to port $1 is a new one.
# (Kamailio's connection ids start again at 1 after a restart: the kernel's
# ports tell the connections apart.)
restart_and_back() {
	local port=$1 ports p
	wait_moved "" 60
	ports=$(watch_ports "$port" | xargs)
	[ -n "$ports" ]
	kam_restart
	kam_wait_contacts "$N" 90
	wait_moved "" 30
	for p in $(watch_ports "$port"); do
		[[ " $ports " != *" $p "* ]]
	done
	[ -n "$(watch_ports "$port")" ]
}

@test "a registrar restart over TCP without outbound: a new connection, all back" {
	conn_yaml tcp "$KAM_TCP" no 10
	watch_start_ns "$BATS_TEST_TMPDIR/w.yaml"
	restart_and_back "$KAM_TCP"
}

@test "a registrar restart over TCP with outbound: a new connection, all back" {
	conn_yaml tcp "$KAM_TCP" yes 10
	watch_start_ns "$BATS_TEST_TMPDIR/w.yaml"
	restart_and_back "$KAM_TCP"
}

@test "a registrar restart over TLS without outbound: a new connection, all back" {
	conn_yaml tls "$KAM_TLS" no 10
	watch_start_ns "$BATS_TEST_TMPDIR/w.yaml"
	restart_and_back "$KAM_TLS"
}

@test "a registrar restart over TLS with outbound: a new connection, all back" {
	conn_yaml tls "$KAM_TLS" yes 10
	watch_start_ns "$BATS_TEST_TMPDIR/w.yaml"
	restart_and_back "$KAM_TLS"
}

# The watch's open file descriptors.
fds() {
	find "/proc/$WPID/fd" -mindepth 1 -maxdepth 1 | wc -l
}

# Three registrations over UDP, and with $1 = tls three more over TLS.
reload_yaml() {
	local i
	{
		cat <<YAML
defaults: { max_random_initial_delay: 0, retry_interval: 2, expiration: 600, audit_interval: 0,
            password_file: $PW, client_uri: "sip:alice@127.0.0.1" }
registrations:
YAML
		for i in 1 2 3; do
			echo "  u$i: { contact_user: ${CU}u$i, server_uri: \"sip:127.0.0.1:$KAM_UDP\" }"
			[ "${1:-}" = tls ] || continue
			echo "  t$i: { contact_user: ${CU}t$i, server_uri: \"sip:127.0.0.1:$KAM_TLS;transport=tls\","
			echo "        tls_ca_file: $KAM_CA, keep_alive_interval: 10 }"
		done
	} >"$BATS_TEST_TMPDIR/w.yaml"
}

@test "a reload that removes every TLS registration closes its connection and tunnel" {
	reload_yaml
	watch_start_ns "$BATS_TEST_TMPDIR/w.yaml"
	kam_wait_contacts 3 60
	wait_event registered u3 30
	base=$(fds)
	reload_yaml tls
	kill -HUP "$WPID"
	kam_wait_contacts 6 60
	[ -n "$(watch_ports "$KAM_TLS")" ]
	with_tls=$(fds)
	echo "fds: $base with UDP only, $with_tls with TLS too" >&3
	[ "$with_tls" -gt "$base" ]
	reload_yaml
	kill -HUP "$WPID"
	for i in $(seq 1 300); do
		if [ "$(count_events unregistered)" -ge 3 ] && [ "$(fds)" -le "$base" ]; then
			break
		fi
		sleep 0.2
	done
	echo "fds after the reload: $(fds) (base $base)" >&3
	[ "$(count_events unregistered)" -ge 3 ]
	[ "$(fds)" -le "$base" ]
	[ -z "$(watch_ports "$KAM_TLS")" ]
	[ "$(kam_contacts)" = 3 ]
	kill -0 "$WPID"
}

@test "open fds stay flat over many reconnects (registrar restarts over TLS)" {
	N=5
	conn_yaml tls "$KAM_TLS" no 10
	watch_start_ns "$BATS_TEST_TMPDIR/w.yaml"
	wait_moved "" 60
	sleep 1
	first=$(fds)
	for round in 1 2 3 4 5 6; do
		restart_and_back "$KAM_TLS"
	done
	last=$(fds)
	echo "fds: $first after the first registration, $last after 6 reconnects" >&3
	[ "$last" -le "$first" ]
}

# SPDX-License-Identifier: BSD-2-Clause
# Shared by the bats tests: where the binaries are, and the peers.
: "${SIPREG_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${SIPREG_BUILDDIR:=$SIPREG_SRCDIR}"
SIPREG="$SIPREG_BUILDDIR/sipreg"
REGISTRAR="$SIPREG_SRCDIR/scripts/registrar"
SCEN="$SIPREG_SRCDIR/tests/fixtures/sipp"
export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-60}

# A password file of mode 0600 holding $2, at path $1.
make_pwfile() {
	umask 077
	printf '%s\n' "$2" >"$1"
	chmod 600 "$1"
}

# A peer or tool the machine lacks is a skip, except under scripts/test
# (SIPREG_PEERS_REQUIRED=1), which has just installed every one of them.
need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	if [ "${SIPREG_PEERS_REQUIRED:-0}" = 1 ]; then
		echo "$1 is not installed, yet scripts/setup installs it" >&2
		return 1
	fi
	skip "$1 is not installed"
}

# Kamailio of the file answers on its control socket and listens on
# KAM_$1 (UDP by default); otherwise fail with the end of its log: a
# registrar that did not start is a failure, never a skip.
kam_ready() {
	local v="KAM_${1:-UDP}"
	if [ -n "${!v:-}" ] && [ -n "${KAM_DIR:-}" ] &&
		kamcmd -s "unix:$KAM_DIR/ctl.sock" core.uptime >/dev/null 2>&1; then
		return 0
	fi
	echo "Kamailio is not running ($v=${!v:-unset}); end of its log:" >&2
	[ -n "${KAM_DIR:-}" ] && tail -30 "$KAM_DIR/kamailio.log" >&2
	return 1
}

# Start Kamailio for the file: sets KAM_DIR KAM_UDP KAM_TCP KAM_TLS KAM_WS
# KAM_WSS KAM_MTLS (TLS that requires a client certificate) KAM_CA.
kam_start() {
	local alg=${1:-MD5} out
	need kamailio
	KAM_DIR=$(mktemp -d "${BATS_FILE_TMPDIR:-/tmp}/kam.XXXXXX")
	out=$("$REGISTRAR" start "$KAM_DIR" "$alg") || return 1
	eval "$out"
	export KAM_DIR KAM_UDP KAM_TCP KAM_TLS KAM_WS KAM_WSS KAM_MTLS KAM_CA KAM_V6
}

kam_stop() {
	[ -n "${KAM_DIR:-}" ] && "$REGISTRAR" stop "$KAM_DIR"
	return 0
}

# The distinct REGISTERs Kamailio has received since it started, from its
# own log (a registrar started with KAM_LOG_REQUESTS=1): all of them, or
# those without credentials ($1 = none) or with them ($1 = some). A
# retransmission (the same CSeq and Call-ID, sent again when an answer is
# slow on a busy machine) is the same request and counts once; Kamailio's
# counter rcv_requests_register counts it twice. Every attempt starts
# without credentials: the count of those is the attempts.
kam_register_count() {
	local user='[^ ]*'
	case "${1:-}" in
	'') ;;
	none) user='<null>' ;;
	some) user='[^<][^ ]*' ;;
	*) echo "kam_register_count: none, some or nothing, not $1" >&2; return 2 ;;
	esac
	# the line is a notice: a registrar started with KAM_DEBUG below 1
	# would drop it, and every count would be 0
	grep -qF 'xlog("L_NOTICE", "request ' "$KAM_DIR/kamailio.cfg" &&
		grep -q '^debug=[1-9]' "$KAM_DIR/kamailio.cfg" || {
		echo "kam_register_count: the registrar logs no requests (KAM_LOG_REQUESTS=1, KAM_DEBUG>=1)" >&2
		return 1
	}
	grep -o "request REGISTER cseq=[0-9]* call-id=[^ ]* user=$user\$" "$KAM_DIR/kamailio.log" |
		sort -u | wc -l
}

# `run "$@"` in a session of its own: SESSION is its id, and what the command
# left running is found by it (session_procs), not by a name.
run_in_session() {
	run setsid -w bash -c 'echo $$ >"$0"; exec "$@"' "$BATS_TEST_TMPDIR/session" "$@"
	SESSION=$(cat "$BATS_TEST_TMPDIR/session")
}

# The processes still running in session $1, one "PID SID ARGS" a line.
session_procs() {
	ps -e -o pid=,sid=,args= | awk -v s="$1" '$2 == s'
}

# Signal $1 (STOP, CONT) to the file's Kamailio and all its children, by
# their process group: a frozen registrar.
kam_signal() {
	[ -n "${KAM_DIR:-}" ] && "$REGISTRAR" signal "$KAM_DIR" "$1"
	return 0
}

# Contacts Kamailio holds for a user, one per line.
kam_bindings() {
	"$REGISTRAR" bindings "$KAM_DIR" "$1"
}

# Fails when Kamailio holds a binding of user $1 that matches $2 (a grep
# pattern; "." for any): a plain command, which fails a test anywhere in it,
# where a "! cmd" line fails one only at its end.
kam_lacks() {
	if kam_bindings "$1" | grep -q -- "$2"; then
		echo "the registrar holds a binding of $1 matching $2" >&2
		return 1
	fi
}

# Capture loopback into file $1 (tcpdump filter $2, optional) until
# capture_stop. tcpdump says "listening" once its socket is in place;
# --immediate-mode takes each packet at once and -U writes each.
capture_start() {
	need tcpdump
	CAP_FILE=$1
	CAP_MARK=$(free_udp_port)
	local filter=() i
	[ -n "${2:-}" ] && filter=("($2) or udp port $CAP_MARK")
	tcpdump --immediate-mode -U -i lo -w "$CAP_FILE" "${filter[@]}" >"$CAP_FILE.err" 2>&1 &
	CAP_PID=$!
	for i in $(seq 100); do
		grep -q "listening on" "$CAP_FILE.err" && break
		sleep 0.1
	done
}

# A SIGTERM would lose what tcpdump has not read yet: a datagram to the
# marker port goes first, and loopback keeps the order, so once the file
# holds it, it holds every packet sent before it.
capture_stop() {
	local i
	for i in $(seq 100); do
		echo mark >"/dev/udp/127.0.0.1/$CAP_MARK" 2>/dev/null || true
		tcpdump -r "$CAP_FILE" -c 1 "udp port $CAP_MARK" 2>/dev/null | grep -q . && break
		sleep 0.1
	done
	kill -TERM "$CAP_PID"
	wait "$CAP_PID" || true
}

# A port nothing uses, below the kernel's ephemeral range, where the client
# sockets of other tests take theirs. Arguments, if any, are a command that
# ss runs under (in_ns: the ports of a test's own namespace).
free_udp_port() {
	local p
	while :; do
		p=$((RANDOM % 12000 + 20000))
		"$@" ss -Htuan | awk '{print $5}' | grep -qE "[:.]$p\$" || { echo "$p"; return; }
	done
}

# Start a SIPp scenario as a UAS on loopback for $3 calls (1): sets SIPP_PORT
# and SIPP_PID.
sipp_start() {
	local scen=$1 tp=${2:-u1} calls=${3:-1}
	need sipp
	SIPP_PORT=$(free_udp_port)
	sipp -sf "$SCEN/$scen.xml" -i 127.0.0.1 -p "$SIPP_PORT" -t "$tp" -m "$calls" -nostdin \
		-timeout 40 -trace_err -error_file "$BATS_TEST_TMPDIR/sipp-err.log" \
		>"$BATS_TEST_TMPDIR/sipp.log" 2>&1 </dev/null &
	SIPP_PID=$!
	listening "$SIPP_PORT" && return 0
	echo "sipp did not start: $(cat "$BATS_TEST_TMPDIR/sipp.log")" >&2
	return 1
}

# Wait (up to 5 s) until something listens on port $1, UDP or TCP.
listening() {
	local i
	for i in $(seq 1 250); do
		ss -Hlun | awk '{print $4}' | grep -qE "[:.]$1\$" && return 0
		ss -Hltn | awk '{print $4}' | grep -qE "[:.]$1\$" && return 0
		sleep 0.02
	done
	return 1
}

sipp_stop() {
	if [ -n "${SIPP_PID:-}" ]; then
		kill "$SIPP_PID" 2>/dev/null || true
		wait "$SIPP_PID" 2>/dev/null || true
	fi
	SIPP_PID=
	return 0
}

# SIPp's own verdict: 0 when every check of the scenario passed.
sipp_verdict() {
	wait "$SIPP_PID"
	local rc=$?
	SIPP_PID=
	return $rc
}

# jq over the JSON in $output.
jqo() {
	printf '%s' "$output" | jq -r "$@"
}

# teardown of files that run SIPp and a background sipregwatch ($WPID)
sipp_and_watch_stop() {
	sipp_stop
	[ -n "${WPID:-}" ] && kill -KILL "$WPID" 2>/dev/null
	return 0
}

# setup_file of most Kamailio files: the registrar (MD5) and alice's password
# file in $BATS_FILE_TMPDIR/alice.pw
kam_start_alice() {
	kam_start MD5
	make_pwfile "$BATS_FILE_TMPDIR/alice.pw" alice-secret
}

# SIGUSR1 to sipregwatch $1 (it writes its files at once), then wait, at
# most 10 s, until each file named after it is written anew: a write
# after the moment just before the signal, so it holds every event the
# test waited for before, however slow the machine. The files are
# replaced whole, so a new inode or time stamp is a new write.
watch_dump() {
	local pid=$1 f i k fresh
	local -a before=()
	shift
	for f in "$@"; do
		before+=("$(stat -c '%i %y' "$f" 2>/dev/null)")
	done
	kill -USR1 "$pid"
	for i in $(seq 100); do
		fresh=1
		k=0
		for f in "$@"; do
			[ "$(stat -c '%i %y' "$f" 2>/dev/null)" != "${before[k]}" ] || fresh=0
			k=$((k + 1))
		done
		[ "$fresh" = 1 ] && return 0
		sleep 0.1
	done
	echo "watch_dump: $* not written again within 10 s of SIGUSR1" >&2
	return 1
}

# sipregwatch events (JSON Lines) in $EV.
# Wait until an event (and optionally a name) appears, at most $3 seconds.
wait_event() {
	local ev=$1 name=${2:-} limit=${3:-15} i
	for i in $(seq 1 $((limit * 10))); do
		if [ -f "$EV" ] && jq -s -e --arg e "$ev" --arg n "$name" \
			'any(.[]; .event == $e and ($n == "" or .name == $n))' "$EV" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	echo "no $ev for ${name:-anyone} in ${limit}s; events:" >&2
	cat "$EV" >&2
	return 1
}

# Wait until file $1 has a line matching $2 (grep -E), at most $3 seconds
# (default 10); the assertion after it says whether it came.
wait_line() {
	local i
	for i in $(seq 1 $((${3:-10} * 10))); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 0
}

count_events() {
	jq -s --arg e "$1" --arg n "${2:-}" '[.[] | select(.event == $e and ($n == "" or .name == $n))] | length' "$EV"
}

# sipreg once against SIPp scenario $1 (-t 2, JSON in $output): $R is its
# result word, $N the REGISTERs it sent.
sipp_once() {
	sipp_start "$1"
	run --separate-stderr timeout 20 "$SIPREG" -u sip:alice@127.0.0.1 -H "127.0.0.1:$SIPP_PORT" \
		-p x -t 2 --json 2>/dev/null
	R=$(jq -r '.results[0].result' <<<"$output")
	N=$(jq -r '.results[0].requests' <<<"$output")
}

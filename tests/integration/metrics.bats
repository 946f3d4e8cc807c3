#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# sipregwatch --metrics-listen (/metrics, /status, /healthz over HTTP),
# hostile HTTP clients that must not stall the SIP side, --shard, and the
# Debian prometheus binary scraping three shards and summing them.

bats_require_minimum_version 1.5.0
load ../helpers

setup_file() {
	kam_start_alice
	make_pwfile "$BATS_FILE_TMPDIR/load.pw" load-secret
}

teardown_file() {
	kam_stop
}

setup() {
	EV="$BATS_TEST_TMPDIR/events.jsonl"
	PIDS=()
}

teardown() {
	local p
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	return 0
}

# A file of N registrations of the registrar's users load1..loadN.
load_yaml() {
	{
		printf 'defaults: { server_uri: "sip:127.0.0.1:%s", max_random_initial_delay: 0, password_file: "%s", expiration: 600 }\nregistrations:\n' \
			"$KAM_UDP" "$BATS_FILE_TMPDIR/load.pw"
		for n in $(seq 1 "$1"); do printf '  m%s: { client_uri: "sip:load%s@127.0.0.1" }\n' "$n" "$n"; done
	} >"$BATS_TEST_TMPDIR/m.yaml"
}

# Wait until $1 answers 200 on /healthz.
http_ready() {
	local n
	for n in $(seq 1 100); do
		curl -s -o /dev/null -w '%{http_code}' "http://$1/healthz" 2>/dev/null | grep -q 200 && return 0
		sleep 0.05
	done
	echo "nothing answers on $1" >&2
	return 1
}

@test "--metrics-listen serves /metrics (promtool clean), /status and /healthz" {
	need curl
	need promtool
	kam_ready UDP
	load_yaml 5
	port=$(free_udp_port)
	"$SIPREG_BUILDDIR/sipregwatch" -f "$BATS_TEST_TMPDIR/m.yaml" --events "$EV" \
		--metrics-listen "127.0.0.1:$port" 2>"$BATS_TEST_TMPDIR/w.err" &
	PIDS+=($!)
	http_ready "127.0.0.1:$port"
	wait_event registered m5
	run curl -s -D "$BATS_TEST_TMPDIR/h" "http://127.0.0.1:$port/metrics"
	[ "$status" -eq 0 ]
	grep -qi '^content-type: text/plain; version=0.0.4' "$BATS_TEST_TMPDIR/h"
	[[ "$output" == *'sipreg_registered{name="m1"} 1'* ]]
	[[ "$output" == *'sipreg_watch_registrations{state="registered"} 5'* ]]
	[[ "$output" == *'sipreg_watch_failures_total{result="timeout"} 0'* ]]
	[[ "$output" == *"process_start_time_seconds "* ]]
	promtool check metrics <<<"$output"
	run curl -s "http://127.0.0.1:$port/status"
	[ "$(jq -r '.registrations | length' <<<"$output")" = 5 ]
	run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/nothing"
	[ "$output" = 404 ]
	run curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/metrics"
	[ "$output" = 405 ]
}

@test "--metrics-listen: a bad address or a port in use is a usage error (64)" {
	load_yaml 1
	run --separate-stderr "$SIPREG_BUILDDIR/sipregwatch" -f "$BATS_TEST_TMPDIR/m.yaml" \
		--metrics-listen localhost
	[ "$status" -eq 64 ]
	[[ "$stderr" == *'--metrics-listen: expected ADDR:PORT with an IP address'* ]]
	port=$(free_udp_port)
	python3 -c "import socket,time; s=socket.socket(); s.bind(('127.0.0.1',$port)); s.listen(); time.sleep(10)" &
	PIDS+=($!)
	listening "$port"
	run --separate-stderr timeout 10 "$SIPREG_BUILDDIR/sipregwatch" -f "$BATS_TEST_TMPDIR/m.yaml" \
		--metrics-listen "127.0.0.1:$port"
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"cannot listen there"* ]]
}

@test "hostile HTTP clients (silent, 1 MB request line, 100 at once) do not stall SIP" {
	need curl
	need python3
	kam_ready UDP
	load_yaml 20
	# the first 10 now, the next 10 while the clients are at it
	sed -i '/m1[1-9]:\|m20:/d' "$BATS_TEST_TMPDIR/m.yaml"
	cp "$BATS_TEST_TMPDIR/m.yaml" "$BATS_TEST_TMPDIR/m10.yaml"
	port=$(free_udp_port)
	"$SIPREG_BUILDDIR/sipregwatch" -f "$BATS_TEST_TMPDIR/m.yaml" --events "$EV" \
		--metrics-listen "127.0.0.1:$port" 2>"$BATS_TEST_TMPDIR/w.err" &
	WPID=$!
	PIDS+=($WPID)
	http_ready "127.0.0.1:$port"
	wait_event registered m10
	python3 -u - "$port" >"$BATS_TEST_TMPDIR/clients.out" <<'PY' &
import socket, sys, threading, time, urllib.request
port = int(sys.argv[1])
idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(5)]  # say nothing
big = socket.create_connection(("127.0.0.1", port))
try:
    big.sendall(b"GET /" + b"a" * (1 << 20) + b" HTTP/1.1\r\n\r\n")
except OSError:
    pass
print("big:", big.recv(64).split(b"\r\n")[0].decode(errors="replace"))
good = [0]  # (no line of this script starts with "ok ": bats may echo it)
def scrape():
    r = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10)
    if r.status == 200 and b"sipreg_registered" in r.read():
        good[0] += 1
threads = [threading.Thread(target=scrape) for _ in range(100)]
[t.start() for t in threads]
[t.join() for t in threads]
print("scrapes ok:", good[0])
time.sleep(3)
PY
	PIDS+=($!)
	# meanwhile the SIP side takes a reload with 10 more registrations
	load_yaml 20
	kill -HUP "$WPID"
	wait_event registered m20 10
	for n in $(seq 1 200); do
		grep -q "scrapes ok" "$BATS_TEST_TMPDIR/clients.out" && break
		sleep 0.1
	done
	cat "$BATS_TEST_TMPDIR/clients.out"
	grep -q "^big: HTTP/1.1 414" "$BATS_TEST_TMPDIR/clients.out"
	grep -q "^scrapes ok: 100$" "$BATS_TEST_TMPDIR/clients.out"
	[ "$(count_events failed)" -eq 0 ]
	run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz"
	[ "$output" = 200 ]
}

@test "Prometheus scrapes three shards: sum and count of sipreg_registered are the file's" {
	need prometheus
	need curl
	kam_ready UDP
	load_yaml 30
	targets=""
	for k in 1 2 3; do
		port=$(free_udp_port)
		"$SIPREG_BUILDDIR/sipregwatch" -f "$BATS_TEST_TMPDIR/m.yaml" --shard "$k/3" \
			--events "$BATS_TEST_TMPDIR/ev$k" --metrics-listen "127.0.0.1:$port" \
			2>"$BATS_TEST_TMPDIR/w$k.err" &
		PIDS+=($!)
		http_ready "127.0.0.1:$port"
		targets="$targets'127.0.0.1:$port',"
	done
	ppt=$(free_udp_port)
	cat >"$BATS_TEST_TMPDIR/prometheus.yml" <<YAML
global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [ "$SIPREG_SRCDIR/contrib/prometheus/alerts.yml" ]
scrape_configs:
  - job_name: sipregwatch
    static_configs: [ { targets: [ ${targets%,} ] } ]
YAML
	prometheus --config.file="$BATS_TEST_TMPDIR/prometheus.yml" \
		--storage.tsdb.path="$BATS_TEST_TMPDIR/tsdb" --web.listen-address="127.0.0.1:$ppt" \
		>"$BATS_TEST_TMPDIR/prom.log" 2>&1 &
	PIDS+=($!)
	q() {
		curl -s "http://127.0.0.1:$ppt/api/v1/query" --data-urlencode "query=$1" |
			jq -r '.data.result[0].value[1] // "none"'
	}
	for n in $(seq 1 150); do
		if [ "$(q 'sum(sipreg_registered)')" = 30 ] && [ "$(q 'count(sipreg_registered)')" = 30 ]; then
			break
		fi
		sleep 0.2
	done
	[ "$(q 'sum(sipreg_registered)')" = 30 ]
	[ "$(q 'count(sipreg_registered)')" = 30 ]
	[ "$(q 'count(count by (shard) (sipreg_registered))')" = 3 ]
	[ "$(q 'sum(up{job="sipregwatch"})')" = 3 ]
}

@test "contrib/prometheus/alerts.yml passes promtool check rules" {
	need promtool
	run promtool check rules "$SIPREG_SRCDIR/contrib/prometheus/alerts.yml"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"SUCCESS: 4 rules found"* ]]
}

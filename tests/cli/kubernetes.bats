#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# contrib/kubernetes: the manifests parse, and what they run is what the
# binary accepts: each replica's command, with its ordinal, loads the
# ConfigMap's file and keeps its shard; together the shards are the file.

bats_require_minimum_version 1.5.0
load ../helpers

K8S="$SIPREG_SRCDIR/contrib/kubernetes/sipregwatch.yaml"

# python3 over the manifests: $1 is an expression of docs (the list).
manifest() {
	python3 -c "import sys, yaml; docs = list(yaml.safe_load_all(open(sys.argv[1]))); print($1)" "$K8S"
}

@test "the Kubernetes manifests parse: ConfigMap, Secret, Service, StatefulSet" {
	need python3
	run manifest "' '.join(d['kind'] for d in docs)"
	[ "$status" -eq 0 ]
	[ "$output" = "ConfigMap Secret Service StatefulSet" ]
	run manifest "[d for d in docs if d['kind'] == 'StatefulSet'][0]['spec']['template']['spec']['containers'][0]['livenessProbe']['httpGet']['path']"
	[ "$output" = /healthz ]
	# the grace period covers the un-registration (--shutdown-timeout)
	run manifest "[d for d in docs if d['kind'] == 'StatefulSet'][0]['spec']['template']['spec']['terminationGracePeriodSeconds']"
	[ "$output" -ge 10 ]
}

@test "each replica's command is accepted by sipregwatch and keeps its shard" {
	need python3
	dir="$BATS_TEST_TMPDIR"
	manifest "[d for d in docs if d['kind'] == 'ConfigMap'][0]['data']['trunks.yaml']" >"$dir/trunks.yaml"
	cmd=$(manifest "[d for d in docs if d['kind'] == 'StatefulSet'][0]['spec']['template']['spec']['containers'][0]['command'][-1]")
	[[ "$cmd" == "exec sipregwatch "* ]]
	replicas=$(manifest "[d for d in docs if d['kind'] == 'StatefulSet'][0]['spec']['replicas']")
	[[ "$cmd" == *"/$replicas"* ]]
	mkdir -p "$dir/secrets"
	# the command as the pod runs it, with this build's binary and the
	# pod's paths under $dir; --dump-config shows the shard's registrations
	local_cmd=${cmd/exec sipregwatch/exec \"$SIPREG_BUILDDIR/sipregwatch\" --dump-config}
	local_cmd=${local_cmd//\/etc\/sipreg/$dir}
	for o in $(seq 0 $((replicas - 1))); do
		run --separate-stderr env HOSTNAME="sipregwatch-$o" sh -c "$local_cmd"
		echo "$stderr"
		[ "$status" -eq 0 ]
		grep -o 'client_uri: [^ ]*' <<<"$output" >>"$dir/all" || true
	done
	[ "$(wc -l <"$dir/all")" -eq 2 ]
	[ "$(sort -u "$dir/all" | wc -l)" -eq 2 ]
}

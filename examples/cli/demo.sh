#!/usr/bin/env bash
# demo.sh: the life of a load balancer through the cdslb command, against
# "cdslb fake", checking each exit status. make test runs it; run it by
# hand with a built binary:
#
#   CDSLB=/path/to/cdslb examples/cli/demo.sh
#
# Without CDSLB it builds the command into a temporary folder first.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
fake_pid=
cleanup() {
	if [ -n "$fake_pid" ]; then
		kill "$fake_pid" 2>/dev/null || true
		wait "$fake_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${CDSLB:-}" ]; then
	(cd "$here/../../cmd/cdslb" && go build -o "$work/cdslb" .)
	CDSLB=$work/cdslb
fi

fail() { echo "demo: FAIL: $*" >&2; exit 1; }

# expect CODE CMD...: run the command and check its exit status.
expect() {
	local want=$1 got=0
	shift
	"$@" >"$work/out" 2>"$work/err" || got=$?
	if [ "$got" != "$want" ]; then
		cat "$work/out" "$work/err" >&2
		fail "exit $got, want $want: ${*#"$CDSLB" }"
	fi
	echo "demo: ok (exit $got): cdslb ${*:2}"
}

# The fake, on a port the kernel picks (-addr :0), with short busy states.
# Its first line exports the address and the keys.
"$CDSLB" fake -addr 127.0.0.1:0 -delay 200ms >"$work/fake.out" 2>"$work/fake.err" &
fake_pid=$!
for _ in $(seq 100); do
	[ -s "$work/fake.out" ] && break
	kill -0 "$fake_pid" 2>/dev/null || { cat "$work/fake.err" >&2; fail "cdslb fake exited"; }
	sleep 0.1
done
[ -s "$work/fake.out" ] || fail "cdslb fake printed no export line within 10s"
eval "$(head -n 1 "$work/fake.out")"
export CDS_API_HOST CDS_SECRET_ID CDS_SECRET_KEY
wait_flags=(--timeout 30s --poll-interval 100ms)

# 1. Create from a file and wait until it runs.
expect 0 "$CDSLB" lb create -f "$here/create.yaml" --wait "${wait_flags[@]}" -o json
id=$(sed -n 's/^ *"InstanceUUID": "\([^"]*\)".*/\1/p' "$work/out" | head -n 1)
[ -n "$id" ] || fail "lb create printed no InstanceUUID"
grep -q '"Status": "RUNNING"' "$work/out" || fail "lb create --wait did not print it RUNNING"

# 2. List as JSON and find it by name.
expect 0 "$CDSLB" lb list -o json
grep -q "\"InstanceUUID\": \"$id\"" "$work/out" || fail "lb list does not list $id"
grep -q '"InstanceName": "demo-web"' "$work/out" || fail "lb list does not list demo-web"

# 3. Plan a listener set: it has changes, exit 2.
expect 2 "$CDSLB" listeners plan "$id" -f "$here/listeners.yaml" --detailed-exitcode
grep -q '^+ http listener "web"' "$work/out" || fail "the plan does not add web"

# 4. Apply it, and wait until the instance runs again.
expect 0 "$CDSLB" listeners apply "$id" -f "$here/listeners.yaml" --wait "${wait_flags[@]}"

# 5. Plan again: nothing to change, exit 0.
expect 0 "$CDSLB" listeners plan "$id" -f "$here/listeners.yaml" --detailed-exitcode
grep -q 'no changes' "$work/out" || fail "the second plan has changes"

# 6. Delete, wait until it is gone, and see that it is.
expect 0 "$CDSLB" lb delete "$id" --yes --wait "${wait_flags[@]}"
expect 1 "$CDSLB" lb get "$id"
expect 0 "$CDSLB" lb list -o json
if grep -q "$id" "$work/out"; then fail "$id is still listed"; fi

echo "demo: all steps passed"

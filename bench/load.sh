#!/usr/bin/env bash
# Server load test (docs/performance.md, "Server load"): starts a release
# `accord serve` on 127.0.0.1 with a temporary database, stores one finished
# forecast run, then drives each endpoint with wrk — 50 concurrent
# connections for a bounded duration — and prints p50/p90/p99, requests/s and
# errors per endpoint. Needs wrk (Debian: apt-get install -y wrk) and curl.
#
#   bench/load.sh [SECONDS_PER_ENDPOINT]   (default 10)
#
# ACCORD_BIN overrides the binary (default: target/release/accord, built if
# missing). Exit code 1 when an endpoint misses p99 < 50 ms or has errors.
set -euo pipefail

cd "$(dirname "$0")/.."
DURATION="${1:-10}"
CONNECTIONS=50
THREADS=2
BIN="${ACCORD_BIN:-target/release/accord}"

for tool in wrk curl; do
    command -v "$tool" >/dev/null || { echo "bench/load.sh needs $tool (apt-get install -y $tool)" >&2; exit 2; }
done
if [[ ! -x "$BIN" ]]; then
    cargo build --release -p accord-cli
fi

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
    if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

DB="$WORK/load.db"
TOKEN="$("$BIN" token create load --db "$DB")"
# Port 0: the system picks a free port; the server prints its address first.
"$BIN" serve --addr 127.0.0.1:0 --db "$DB" >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
for _ in $(seq 100); do
    grep -q 'http://' "$WORK/serve.out" 2>/dev/null && break
    sleep 0.1
done
BASE="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/serve.out" | head -1)"
[[ -n "$BASE" ]] || { echo "the server did not start:" >&2; cat "$WORK/serve.err" >&2; exit 2; }

# One finished forecast run to read back (the stored-result endpoint).
ID="$(curl -sf -X POST "$BASE/api/runs" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -d '{"kind": "forecast", "samples": 200, "seed": 1}' |
    grep -o '"id": *[0-9]*' | grep -o '[0-9]*$')"
for _ in $(seq 600); do
    STATUS="$(curl -sf "$BASE/api/runs/$ID" | grep -o '"status": *"[a-z]*"' | grep -o '[a-z]*"$' | tr -d '"')"
    [[ "$STATUS" == done ]] && break
    [[ "$STATUS" == failed || "$STATUS" == cancelled ]] && { echo "seed run $ID: $STATUS" >&2; exit 2; }
    sleep 0.5
done
[[ "$STATUS" == done ]] || { echo "seed run $ID did not finish" >&2; exit 2; }
RESULT_BYTES="$(curl -sf "$BASE/api/runs/$ID" | wc -c)"

# wrk counts non-2xx answers; this script makes it print them and the
# latency percentiles in one parseable line.
cat >"$WORK/report.lua" <<'LUA'
done = function(summary, latency, requests)
    local errors = summary.errors.connect + summary.errors.read + summary.errors.write
        + summary.errors.status + summary.errors.timeout
    io.write(string.format("RESULT requests=%d seconds=%.2f p50=%.2f p90=%.2f p99=%.2f max=%.2f errors=%d\n",
        summary.requests, summary.duration / 1e6,
        latency:percentile(50) / 1000, latency:percentile(90) / 1000,
        latency:percentile(99) / 1000, latency.max / 1000, errors))
end
LUA

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s per endpoint, against $("$BIN" --version) on loopback; stored run $ID is $RESULT_BYTES bytes"
printf '%-44s %9s %8s %8s %8s %8s %7s\n' endpoint "req/s" "p50 ms" "p90 ms" "p99 ms" "max ms" errors
FAIL=0
for path in \
    "/api/record/status?org=SCO&at=2009-06-16" \
    "/api/record/gap?org=SCO&at=2010-06-01" \
    "/api/model" \
    "/api/runs/$ID"; do
    line="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s -s "$WORK/report.lua" "$BASE$path" | grep '^RESULT')"
    eval "$(echo "${line#RESULT }" | tr ' ' '\n' | sed 's/^/r_/')"
    rps="$(awk -v n="$r_requests" -v s="$r_seconds" 'BEGIN { printf "%.0f", n / s }')"
    printf '%-44s %9s %8s %8s %8s %8s %7s\n' "$path" "$rps" "$r_p50" "$r_p90" "$r_p99" "$r_max" "$r_errors"
    if awk -v p="$r_p99" 'BEGIN { exit !(p >= 50) }' || [[ "$r_errors" != 0 ]]; then FAIL=1; fi
done
if [[ "$FAIL" == 1 ]]; then
    echo "target missed: p99 < 50 ms and no errors on every endpoint" >&2
    exit 1
fi
echo "target met: p99 < 50 ms and no errors on every endpoint"

#!/usr/bin/env bash
# The interface in real headless Chromium. Builds nothing: give it the accord
# binary (e.g. target/debug/accord). It makes a temporary database and token,
# starts `accord serve` on 127.0.0.1 with a free port, waits for
# /api/health, runs unit.test.mjs and ui.test.mjs with node's test runner, and always stops the
# server and removes the temporary files.
#
#   tests/browser/run.sh target/debug/accord
#
# Needs: node ≥ 20, `npm ci` done in tests/browser, Debian's chromium
# (CHROMIUM=/path overrides /usr/bin/chromium).
set -euo pipefail
if [ $# -ne 1 ] || [ ! -x "$1" ]; then
  echo "usage: $0 PATH/TO/accord (an executable accord binary)" >&2
  exit 2
fi
accord="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

db="$work/accord.db"
token="$("$accord" token create browser-tests --db "$db" 2>/dev/null | grep -o 'accord_[0-9a-f]*' | head -n 1)"
if [ -z "$token" ]; then
  echo "run.sh: could not create a token with $accord" >&2
  exit 1
fi

"$accord" serve --db "$db" --addr 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.err" &
pid=$!

# The first line of standard output says where it listens (port 0 = any free port).
url=""
for _ in $(seq 1 200); do
  url="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/serve.out" 2>/dev/null | head -n 1 || true)"
  [ -n "$url" ] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "run.sh: accord serve stopped:" >&2
    cat "$work/serve.err" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "run.sh: accord serve did not say where it listens within 20 s" >&2
  cat "$work/serve.err" >&2
  exit 1
fi
node -e '
  const url = process.argv[1];
  (async () => {
    for (let i = 0; i < 200; i++) {
      try { const r = await fetch(url + "/api/health"); if (r.ok) return; } catch {}
      await new Promise((r) => setTimeout(r, 100));
    }
    console.error("run.sh: /api/health did not answer within 20 s");
    process.exit(1);
  })();
' "$url"

cd "$here"
# The pure functions first (no browser), then the pages in Chromium.
node --experimental-detect-module --test unit.test.mjs
ACCORD_URL="$url" ACCORD_TOKEN="$token" ACCORD_TMP="$work" node --test --test-concurrency=1 ui.test.mjs

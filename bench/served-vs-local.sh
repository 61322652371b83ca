#!/usr/bin/env bash
# Issue 18 item 2 (docs/decisions.md): per-pass server time of a served pass (serve and infer as separate processes)
# against ./polyhe run on the same prompt, alternated REPEATS times. Usage: bench/served-vs-local.sh [TREE [REPEATS]]; prints one JSON line per repeat
set -euo pipefail
TREE=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}; REPEATS=${2:-3}; PROMPT='^S342='; TOKENS=4
W=$(mktemp -d); cd "$TREE"
export POLYHE_JAVA_OPTS="${POLYHE_JAVA_OPTS:--XX:MaxRAMPercentage=25 -XX:InitialRAMPercentage=10}"
./polyhe certs gen --out "$W/tls" >/dev/null
head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$W/alice.key"
echo "alice:$(cat "$W/alice.key")" > "$W/api-keys.txt"
for r in $(seq "$REPEATS"); do
  # A fresh server per repeat: its first pass encodes the weights cold, as a fresh run does.
  ./polyhe serve --model tiny --port 50197 --tls-cert "$W/tls/cert.pem" --tls-key "$W/tls/key.pem" \
    --api-keys "$W/api-keys.txt" --key-store "$W/store$r" --max-concurrent 1 > "$W/serve$r.log" 2>&1 &
  SERVER=$!; trap 'kill $SERVER 2>/dev/null || true' EXIT
  for i in $(seq 60); do grep -q "listening\|started\|serving" "$W/serve$r.log" 2>/dev/null && break; sleep 2; done
  ./polyhe infer --target localhost:50197 --tls-ca "$W/tls/cert.pem" --api-key-file "$W/alice.key" \
    --tokens $TOKENS --json "$PROMPT" 2>/dev/null | tail -1 > "$W/infer$r.json"
  ./polyhe run --model tiny --prompt "$PROMPT" --tokens $TOKENS --json 2>/dev/null | tail -1 > "$W/run$r.json"
  kill $SERVER; wait $SERVER 2>/dev/null || true
  python3 - "$W/infer$r.json" "$W/run$r.json" <<'PY'
import json, sys, statistics as st
i = json.load(open(sys.argv[1])); r = json.load(open(sys.argv[2]))
served = i["token_server_compute_seconds"]; local = r["pass_compute_seconds"]
warm = lambda xs: st.median(xs[1:]) if len(xs) > 1 else xs[0]
print(json.dumps({"served_passes": [round(x, 3) for x in served], "local_passes": [round(x, 3) for x in local],
                  "first_ratio": round(served[0] / local[0], 3), "warm_ratio": round(warm(served) / warm(local), 3),
                  "answers": [i["answer"], r["answer"]]}))
PY
done

#!/usr/bin/env bash
# Issue 20's table (docs/decisions.md, "Faster passes, third round"): this tree and another (today's main
# of the issue, 8685ae5, checked out and built elsewhere) side by side on one machine, alternating.
# Usage: bench/issue20-table.sh BASE_TREE [ROUNDS]   (prints one JSON line per figure and tree)
# Heavy: about 25 minutes with the Pythia-shape pass; run it on an otherwise idle machine.
set -euo pipefail
NEW=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd); BASE=$(cd "${1:?usage: $0 BASE_TREE [ROUNDS]}" && pwd)
ROUNDS=${2:-3}; W=$(mktemp -d)
last() { tail -1 "$1"; }
pass() { # tree label args... -> {"tree","figure","warm_seconds":[...],"galois_keys","native_path"}
  local tree=$1 label=$2; shift 2
  (cd "$tree" && ./polyhe bench model --json "$@" > "$W/out" 2>/dev/null)
  python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).read().splitlines()[-1]); print(json.dumps({"tree": sys.argv[2], "figure": sys.argv[3], "warm_seconds": d["warm_all_seconds"], "galois_keys": d["galois_keys"], "native_path": d.get("native_path"), "max_abs_logit_err": d["max_abs_logit_err"]}))' "$W/out" "$tree" "$label"
}
for r in $(seq "$ROUNDS"); do
  for t in "$BASE" "$NEW"; do pass "$t" tiny-native --tokens 32 --repeat 3; done
  pass "$NEW" tiny-native-48-keys --tokens 32 --repeat 3 --rotation-keys 48
  for t in "$BASE" "$NEW"; do pass "$t" tiny-java --tokens 32 --repeat 3 --backend java; done
done
for t in "$BASE" "$NEW"; do
  (cd "$t" && ./polyhe models shape-only --layers 1 --vocab 512 --epsilon 0.1 --out "$W/pythia-$(basename "$t")" >/dev/null 2>&1)
  pass "$t" pythia-shape-1-layer --model "$W/pythia-$(basename "$t")" --tokens 128 --repeat 1
  (cd "$t" && ./polyhe bench ckks --threads 1 --logn 14,15 --ops encrypt_pk --seconds 3 --json 2>/dev/null | tail -1 \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps({"tree": sys.argv[1], "figure": "encrypt_pk", "median_us": {r["logN"]: r["polyhe_us"] for r in d["results"]}}))' "$t")
  # 8685ae5's demo runs tiny and has no --model.
  (cd "$t" && { ./polyhe demo --model tiny --tokens 4 --json 2>/dev/null || ./polyhe demo --tokens 4 --json 2>/dev/null; } | tail -1 \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps({"tree": sys.argv[1], "figure": "demo", "key_bytes": d.get("key_bytes"), "token_seconds": d.get("token_seconds"), "agree": d.get("agree")}))' "$t") || true
done
rm -rf "$W"

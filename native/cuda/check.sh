#!/usr/bin/env bash
# The CUDA check on a lent GPU machine (issues 9 and 22), in one run of at most 8 minutes.
#
#   native/cuda/check.sh --prepare        here, with network and Maven: fills native/cuda/carry/
#   native/cuda/check.sh [--out DIR]      there (no network): builds, tests, benchmarks
#   native/cuda/check.sh --dry-run        prints what a run would do, checks the carry, runs nothing
#
# A run, each step under its own time limit, every log and result under $OUT (or --out DIR):
#   1. gpu.txt               nvidia-smi: card, memory, driver
#   2. build.log             cmake + nvcc: libpolyhe_cuda.so (sm_90 + compute_80 PTX)
#   3. differential.log      CudaDifferentialTest + ResidentArithmeticTest on the GPU library:
#      junit-differential/   every kernel and every resident CKKS operation bit-identical to Java
#   4. hecore-suite.log      he-core's whole test suite with -Dpolyhe.test.backend=cuda
#      junit-hecore/
#   5. bench-ckks.json/.log  bench ckks --backend cuda --logn 14,15,16 --json
#   6. bench-tiny.json/.log  bench model --backend cuda --tokens 32 --json (the shipped tiny model)
#   7. model.log             models shape-only --layers 1: the Pythia-70M shape with one layer
#                            (made there: at 100 MB of embeddings it would not fit the carry)
#   8. bench-pythia1.json/.log  bench model on that model, --tokens 128 --json
#   summary.txt              one line per step: name, status (ok / FAILED rc / TIMEOUT), seconds
# and prints summary.txt at the end. Exit status: 0 when every step passed, 1 otherwise, 2 for a
# usage or set-up error (no GPU, no carry).
#
# Lent GPU machines have no network and no Java, so --prepare packs everything into
# native/cuda/carry/bundle.tar.xz (compiled classes, runtime and test jars, the JUnit console, a
# jlink'ed Java runtime; about 45 MB, under the 64 MiB a device run takes), unpacked there into
# native/cuda/carry/unpacked. The device tool carries the folder:
#   run(command="bash native/cuda/check.sh", carry=["native/cuda/carry"])
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CARRY="$ROOT/native/cuda/carry"
BUNDLE="$CARRY/bundle.tar.xz"
STAGE="$CARRY/unpacked"
CONSOLE_VERSION=1.14.4   # junit-platform-console-standalone of JUnit 5.14.4 (the parent pom's)
MODULES=java.base,java.logging,java.management,java.naming,java.net.http,java.sql,jdk.unsupported,jdk.crypto.ec,java.xml
# Seconds per step; the sum with start-up stays under 8 minutes (480 s).
T_BUILD=60 T_DIFF=60 T_SUITE=90 T_CKKS=60 T_TINY=60 T_MODEL=50 T_PYTHIA=90

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

find_jdk() { # a JDK >= 25 for --prepare
  for j in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25* /usr/lib/jvm/*; do
    if [ -n "$j" ] && [ -x "$j/bin/jlink" ] && "$j/bin/java" -version 2>&1 | grep -q 'version "2[5-9]'; then
      echo "$j"; return 0
    fi
  done
  echo "check.sh: no JDK >= 25 with jlink found (set JAVA_HOME)" >&2; return 2
}

find_java() { # the carried runtime first, then any Java >= 25
  for j in "$STAGE/jre" "${JAVA_HOME:-}" /usr/lib/jvm/*; do
    if [ -n "$j" ] && [ -x "$j/bin/java" ] && "$j/bin/java" -version 2>&1 | grep -q 'version "2[5-9]'; then
      echo "$j/bin/java"; return 0
    fi
  done
  return 1
}

prepare() {
  local jdk
  jdk="$(find_jdk)"
  export JAVA_HOME="$jdk"
  cd "$ROOT"
  local mvn=(./mvnw -B -q)
  # No `install`: the reactor builds every module up to cli and the tests' classes in place.
  # One reactor run: copy-dependencies resolves the modules from this build, not from ~/.m2.
  rm -rf "$CARRY" && mkdir -p "$STAGE/lib" "$STAGE/classes"
  "${mvn[@]}" -DskipTests -Dpolyhe.cuda.skip=true -pl cli -am package dependency:copy-dependencies \
    -DincludeScope=test -DexcludeGroupIds=io.polyhe -DoutputDirectory="$STAGE/lib"
  # The console carries JUnit itself: drop the copies that would sit twice on the class path.
  rm -f "$STAGE"/lib/junit-jupiter-*.jar "$STAGE"/lib/junit-platform-*.jar "$STAGE"/lib/opentest4j-*.jar \
    "$STAGE"/lib/apiguardian-*.jar
  "${mvn[@]}" -N dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$CONSOLE_VERSION" \
    -DoutputDirectory="$STAGE/lib"
  for m in proto he-core poly-models local server client-sdk native cli; do
    cp -r "$m/target/classes" "$STAGE/classes/$m"
  done
  cp -r he-core/target/test-classes "$STAGE/classes/he-core-tests"
  cp -r native/target/test-classes "$STAGE/classes/native-tests"
  # The CPU library stays (the native backend is a dependency of the tests); the GPU one is built there.
  rm -f "$STAGE"/classes/native/native/*/libpolyhe_cuda.so
  "$jdk/bin/jlink" --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages \
    --compress=zip-9 --output "$STAGE/jre"
  "$STAGE/jre/bin/java" -cp "$(classpath)" io.polyhe.cli.Main --version >/dev/null
  local sizes="jre $(du -sh "$STAGE/jre" | cut -f1), jars $(du -sh "$STAGE/lib" | cut -f1), classes $(du -sh "$STAGE/classes" | cut -f1)"
  # xz: the runtime's libjvm shrinks threefold; the whole carry must fit the 64 MiB a device run takes.
  tar -C "$STAGE" -cf - . | xz -T0 -6 >"$BUNDLE"
  rm -rf "$STAGE"
  echo "check.sh: prepared native/cuda/carry/bundle.tar.xz, $(du -sh "$BUNDLE" | cut -f1) ($sizes unpacked);" \
    "carry native/cuda/carry to the GPU machine"
}

unpack() { # the bundle into $STAGE, once
  [ -f "$BUNDLE" ] || return 1
  if [ ! -x "$STAGE/jre/bin/java" ] || [ "$BUNDLE" -nt "$STAGE/jre/bin/java" ]; then
    rm -rf "$STAGE" && mkdir -p "$STAGE"
    xz -dc -T0 "$BUNDLE" | tar -C "$STAGE" -xf -
  fi
}

classpath() {
  local c="$STAGE/classes"
  # Jars listed one by one: the JUnit console's --class-path does not expand "lib/*".
  local jars
  jars="$(find "$STAGE/lib" -name '*.jar' ! -name 'junit-platform-console-standalone-*' | sort | tr '\n' ':')"
  echo "$c/proto:$c/he-core:$c/poly-models:$c/local:$c/server:$c/client-sdk:$c/native:$c/cli:$c/he-core-tests:$c/native-tests:${jars%:}"
}

# One step: name, seconds, log file, command...; appends to summary.txt, never aborts the run.
step() {
  local name="$1" limit="$2" log="$3"
  shift 3
  local t0 rc status
  t0="$(date +%s)"
  echo "== $name (limit ${limit}s) -> $log"
  set +e
  timeout --kill-after=10 "$limit" "$@" >"$OUT/$log" 2>&1
  rc=$?
  set -e
  case "$rc" in
    0) status=ok ;;
    124|137) status=TIMEOUT ;;
    *) status="FAILED rc=$rc" ;;
  esac
  tail -n 3 "$OUT/$log" | sed 's/^/   | /'
  printf '%-16s %-14s %4ss  %s\n' "$name" "$status" "$(( $(date +%s) - t0 ))" "$log" | tee -a "$OUT/summary.txt"
  [ "$rc" = 0 ] || FAILED=1
}

# The JSON object a bench prints last, into its own file.
json_of() {
  grep -E '^\{' "$OUT/$1" | tail -n 1 >"$OUT/$2" || true
}

run() {
  local dry="$1"
  unpack || {
    echo "check.sh: native/cuda/carry/bundle.tar.xz is missing: run native/cuda/check.sh --prepare on a machine with Maven and network first" >&2
    exit 2
  }
  local java
  java="$(find_java)" || { echo "check.sh: no Java >= 25 (carry/jre is missing: rerun --prepare)" >&2; exit 2; }
  local console
  console="$(ls "$STAGE"/lib/junit-platform-console-standalone-*.jar 2>/dev/null | head -1)"
  [ -n "$console" ] || { echo "check.sh: no JUnit console jar in the carry: rerun --prepare" >&2; exit 2; }
  local model="$STAGE/pythia70m-1layer"
  local lib="$CARRY/build/libpolyhe_cuda.so"
  local cp
  cp="$(classpath)"
  local jopts=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xmx48g
    -Dpolyhe.cuda.lib="$lib" -Dpolyhe.home="$ROOT")
  local cli=("$java" "${jopts[@]}" -cp "$cp" io.polyhe.cli.Main)
  local junit=("$java" "${jopts[@]}" -jar "$console" execute --class-path "$cp" --fail-if-no-tests --disable-banner)
  if [ "$dry" = 1 ]; then
    echo "check.sh --dry-run: java $java; bundle $(du -sh "$BUNDLE" | cut -f1); one-layer model $( [ -f "$model/config.json" ] && echo present || echo "to be made (step 7)")"
    echo "OUT=${OUT:-<unset: the run would stop here>}"
    echo "1. gpu.txt: nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv"
    echo "2. build.log (${T_BUILD}s): cmake -S native/cuda -B $CARRY/build -DCMAKE_BUILD_TYPE=Release && cmake --build $CARRY/build --parallel 16 --target polyhe_cuda"
    echo "3. differential.log (${T_DIFF}s): ${junit[*]} --select-class io.polyhe.nativebackend.CudaDifferentialTest --select-class io.polyhe.nativebackend.resident.ResidentArithmeticTest --reports-dir \$OUT/junit-differential --details=tree"
    echo "4. hecore-suite.log (${T_SUITE}s): $java ${jopts[*]} -Dpolyhe.test.backend=cuda -jar $console execute --class-path <as in 3> --fail-if-no-tests --disable-banner --select-package io.polyhe.he --reports-dir \$OUT/junit-hecore --details=summary"
    echo "5. bench-ckks.log (${T_CKKS}s): ${cli[*]} bench ckks --backend cuda --logn 14,15,16 --seconds 0.3 --json"
    echo "6. bench-tiny.log (${T_TINY}s): ${cli[*]} bench model --backend cuda --tokens 32 --repeat 1 --json"
    echo "7. model.log (${T_MODEL}s): ${cli[*]} models shape-only --layers 1 --out $model --name pythia70m-1layer"
    echo "8. bench-pythia1.log (${T_PYTHIA}s): ${cli[*]} bench model --model $model --backend cuda --tokens 128 --repeat 1 --json"
    echo "   total limit $((T_BUILD + T_DIFF + T_SUITE + T_CKKS + T_TINY + T_MODEL + T_PYTHIA)) s"
    exit 0
  fi
  [ -n "${OUT:-}" ] || { echo "check.sh: set OUT or pass --out DIR" >&2; exit 2; }
  mkdir -p "$OUT"
  : >"$OUT/summary.txt"
  nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv >"$OUT/gpu.txt" 2>&1 || {
    cat "$OUT/gpu.txt" >&2
    echo "check.sh: no GPU here (nvidia-smi failed); nothing to check" >&2
    exit 2
  }
  cat "$OUT/gpu.txt"
  FAILED=0
  step build "$T_BUILD" build.log bash -c "cmake -S '$ROOT/native/cuda' -B '$CARRY/build' -DCMAKE_BUILD_TYPE=Release \
    && cmake --build '$CARRY/build' --parallel 16 --target polyhe_cuda"
  step differential "$T_DIFF" differential.log "${junit[@]}" \
    --select-class io.polyhe.nativebackend.CudaDifferentialTest \
    --select-class io.polyhe.nativebackend.resident.ResidentArithmeticTest \
    --reports-dir "$OUT/junit-differential" --details=tree
  step hecore-suite "$T_SUITE" hecore-suite.log "$java" "${jopts[@]}" -Dpolyhe.test.backend=cuda -jar "$console" \
    execute --class-path "$cp" --fail-if-no-tests --disable-banner --select-package io.polyhe.he \
    --reports-dir "$OUT/junit-hecore" --details=summary
  step bench-ckks "$T_CKKS" bench-ckks.log "${cli[@]}" bench ckks --backend cuda --logn 14,15,16 --seconds 0.3 --json
  json_of bench-ckks.log bench-ckks.json
  step bench-tiny "$T_TINY" bench-tiny.log "${cli[@]}" bench model --backend cuda --tokens 32 --repeat 1 --json
  json_of bench-tiny.log bench-tiny.json
  [ -f "$model/config.json" ] || step model "$T_MODEL" model.log "${cli[@]}" models shape-only --layers 1 \
    --out "$model" --name pythia70m-1layer
  if [ -f "$model/config.json" ]; then
    step bench-pythia1 "$T_PYTHIA" bench-pythia1.log "${cli[@]}" bench model --model "$model" --backend cuda \
      --tokens 128 --repeat 1 --json
    json_of bench-pythia1.log bench-pythia1.json
  else
    printf '%-16s %-14s %4ss  %s\n' bench-pythia1 "SKIPPED" 0 "no model (see model.log)" | tee -a "$OUT/summary.txt"
    FAILED=1
  fi
  echo "== summary ($OUT/summary.txt)"
  cat "$OUT/summary.txt"
  exit "$FAILED"
}

case "${1:-}" in
  --prepare) [ $# -eq 1 ] || { usage >&2; exit 2; }; prepare ;;
  --dry-run) [ $# -eq 1 ] || { usage >&2; exit 2; }; run 1 ;;
  --out) [ $# -eq 2 ] || { usage >&2; exit 2; }; OUT="$2"; run 0 ;;
  "") run 0 ;;
  -h|--help) usage ;;
  *) echo "check.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
esac

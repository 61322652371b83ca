#!/usr/bin/env bash
# The CUDA backend's check on a GPU machine (issue 9), in under 8 minutes:
#   1. builds libpolyhe_cuda.so with cmake + nvcc (sm_90 and compute_80 PTX);
#   2. CudaDifferentialTest: every kernel bit-identical to the Java backend over whole presets;
#   3. he-core's whole test suite on the cuda backend (-Dpolyhe.test.backend=cuda);
#   4. ./polyhe bench ckks --backend cuda --logn 14,15,16 --json (Java alongside, for ratios).
#
# GPU machines lent to a session have no network, so the Java side travels prepared:
#   native/cuda/check.sh --prepare     # here, with Maven: builds, then fills native/cuda/carry/
# then run `bash native/cuda/check.sh` there with native/cuda/carry carried along.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CARRY="$ROOT/native/cuda/carry"

find_java() {
  for j in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25*; do
    if [ -n "$j" ] && [ -x "$j/bin/java" ] && "$j/bin/java" -version 2>&1 | grep -q 'version "2[5-9]'; then
      echo "$j/bin/java"; return 0
    fi
  done
  echo "check.sh: no JDK >= 25 found (set JAVA_HOME)" >&2; return 1
}

if [ "${1:-}" = "--prepare" ]; then
  export JAVA_HOME="$(dirname "$(dirname "$(find_java)")")"
  cd "$ROOT"
  ./mvnw -q -B install -DskipTests -pl cli -am
  rm -rf "$CARRY" && mkdir -p "$CARRY/lib" "$CARRY/classes"
  ./mvnw -q -B -pl cli dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$CARRY/lib" \
    -DexcludeGroupIds=io.polyhe
  ./mvnw -q -B dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:1.14.4 \
    -DoutputDirectory="$CARRY/lib"
  for m in he-core poly-models local native cli; do
    cp -r "$m/target/classes" "$CARRY/classes/$m"
  done
  cp -r he-core/target/test-classes "$CARRY/classes/he-core-tests"
  cp -r native/target/test-classes "$CARRY/classes/native-tests"
  echo "prepared $(du -sh "$CARRY" | cut -f1) in native/cuda/carry: carry that path to the GPU machine"
  exit 0
fi

nvidia-smi >/dev/null 2>&1 || { echo "check.sh: no GPU here (nvidia-smi failed); nothing to check" >&2; exit 2; }
[ -d "$CARRY/lib" ] || { echo "check.sh: run native/cuda/check.sh --prepare on a machine with Maven first" >&2; exit 2; }
JAVA="$(find_java)"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv

echo "== 1. build libpolyhe_cuda.so"
cmake -S "$ROOT/native/cuda" -B "$CARRY/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$CARRY/build" --parallel 8
LIB="$CARRY/build/libpolyhe_cuda.so"

CP="$CARRY/classes/he-core:$CARRY/classes/poly-models:$CARRY/classes/local:$CARRY/classes/native:$CARRY/classes/cli:$CARRY/classes/he-core-tests:$CARRY/classes/native-tests:$CARRY/lib/*"
JOPTS=(--enable-native-access=ALL-UNNAMED -Xmx16g -Dpolyhe.cuda.lib="$LIB" -Dpolyhe.home="$ROOT")
CONSOLE="$(ls "$CARRY"/lib/junit-platform-console-standalone-*.jar)"

echo "== 2. differential tests (bit-identical to Java)"
"$JAVA" "${JOPTS[@]}" -jar "$CONSOLE" execute --class-path "$CP" --fail-if-no-tests \
  --select-class io.polyhe.nativebackend.CudaDifferentialTest --details=tree

echo "== 3. he-core's suite on the cuda backend"
"$JAVA" "${JOPTS[@]}" -Dpolyhe.test.backend=cuda -jar "$CONSOLE" execute --class-path "$CP" \
  --fail-if-no-tests --select-package io.polyhe.he --details=summary

echo "== 4. bench ckks --backend cuda --logn 14,15,16 --json"
"$JAVA" "${JOPTS[@]}" -cp "$CP" io.polyhe.cli.Main bench ckks --backend cuda --logn 14,15,16 --json

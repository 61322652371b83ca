#!/usr/bin/env bash
# Makes target/polyhe-base.tar, the base image of polyhe's OCI image, from this machine alone (no
# registry, no Docker daemon): a Java 25 runtime linked by jlink from the JDK here, the shared
# libraries it needs (glibc, copied from this machine), an /etc with a non-root user 65532, and an
# empty /tmp. The tar is in `docker save` form, which Jib reads as `tar://` base.
#   deploy/image/make-base.sh            (JAVA_HOME or the newest JDK >= 25 under /usr/lib/jvm)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$HERE/target"
JDK="${JAVA_HOME:-$(ls -d /usr/lib/jvm/*25* 2>/dev/null | head -1)}"
[ -x "$JDK/bin/jlink" ] || { echo "make-base: no JDK with jlink (set JAVA_HOME to a JDK 25)" >&2; exit 1; }

# What polyhe and its libraries use: no AWT/X11 (java.desktop is there for java.beans only and runs
# headless), no compiler or tools.
MODULES=java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.naming,\
java.net.http,java.prefs,java.scripting,java.security.jgss,java.security.sasl,java.sql,java.xml,java.xml.crypto,\
jdk.crypto.cryptoki,jdk.httpserver,jdk.jfr,jdk.management,jdk.naming.dns,jdk.net,jdk.unsupported,jdk.zipfs

rm -rf "$OUT/rootfs" "$OUT/polyhe-base.tar"
mkdir -p "$OUT/rootfs/opt"
"$JDK/bin/jlink" --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages \
  --compress=zip-6 --output "$OUT/rootfs/opt/java"

# libawt_xawt (X11) is never loaded headless: out, with the X11 libraries it would need.
rm -f "$OUT/rootfs/opt/java/lib/libawt_xawt.so" "$OUT/rootfs/opt/java/lib/libjawt.so" \
  "$OUT/rootfs/opt/java/lib/libsplashscreen.so"
# The system libraries the runtime links against (glibc; the JDK's own resolve inside /opt/java),
# and the dynamic loader, at their paths on this machine.
copy_lib() { local f="$1"; mkdir -p "$OUT/rootfs$(dirname "$f")"; cp -L "$f" "$OUT/rootfs$f"; }
find "$OUT/rootfs/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 \
  | xargs -0 ldd 2>/dev/null | awk '$3 ~ /^\/(usr\/)?lib/ {print $3}' | sort -u \
  | while read -r lib; do copy_lib "$lib"; done
copy_lib /lib64/ld-linux-x86-64.so.2

python3 "$HERE/pack-base.py" "$OUT/rootfs" "$OUT/polyhe-base.tar" "$("$JDK/bin/java" -version 2>&1 | head -1)"
echo "make-base: $OUT/polyhe-base.tar ($(du -h "$OUT/polyhe-base.tar" | cut -f1))"

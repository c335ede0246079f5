#!/usr/bin/env bash
# The Java SDK (sdk/java): compiles the generated code (sdk/java/src/generated,
# from scripts/sdk-generate.sh), the client (src/main) and its tests
# (src/test) with javac against Debian's jars (no Maven repository is
# reachable here: the jars come from scripts/sdk-tools.sh), then runs the
# tests with the JUnit console launcher against the real server. Output goes
# to target/sdk-java. Arguments replace the test selection, e.g.
# `scripts/sdk-java.sh --select-class org.fhirimport.client.TourTest`.
# FHIR_IMPORT_BIN names a prebuilt server binary; without it the debug
# binary is built first.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
sdk=sdk/java
out=$PWD/target/sdk-java

# The runtime of grpc-java over Netty, and what javac needs besides: the
# annotations the generated stubs and Debian's class files refer to.
jars=(
  grpc-api grpc-core grpc-context grpc-stub grpc-protobuf grpc-protobuf-lite grpc-netty
  protobuf guava perfmark-api gson
  netty-buffer netty-codec netty-codec-http netty-codec-http2 netty-common netty-handler
  netty-resolver netty-transport
)
compile_only=(error-prone-annotations jsr305 geronimo-annotation-1.3-spec)
# The Debian packages these jars come from.
packages=(
  libgrpc-java libprotobuf-java libguava-java libnetty-java libperfmark-java
  libgoogle-gson-java liberror-prone-java libjsr305-java
  libgeronimo-annotation-1.3-spec-java junit5
)
classpath() {
  local jar path joined=""
  for jar in "$@"; do
    path=/usr/share/java/$jar.jar
    [ -f "$path" ] || {
      echo "$path is missing: run scripts/sdk-tools.sh (Debian: ${packages[*]})" >&2
      exit 1
    }
    joined+="${joined:+:}$path"
  done
  echo "$joined"
}
runtime=$(classpath "${jars[@]}")
compile=$runtime:$(classpath "${compile_only[@]}")
junit=$(classpath junit-platform-console-standalone)

echo "== javac (generated code and client, then tests)"
rm -rf "$out"
mkdir -p "$out/classes" "$out/test-classes"
javac -encoding UTF-8 --release 17 -Xlint:all -Werror -d "$out/classes" -cp "$compile" \
  $(find "$sdk/src/generated/java" "$sdk/src/main/java" -name '*.java' | sort)
javac -encoding UTF-8 --release 17 -Xlint:all -Werror -d "$out/test-classes" \
  -cp "$compile:$out/classes:$junit" $(find "$sdk/src/test/java" -name '*.java' | sort)

echo "== SDK tests against the real server"
if [ -z "${FHIR_IMPORT_BIN:-}" ]; then
  cargo build -q
fi
export FHIR_IMPORT_BIN=${FHIR_IMPORT_BIN:-$PWD/target/debug/fhir-import}
selection=(--scan-classpath "$out/test-classes")
[ $# -eq 0 ] || selection=("$@")
status=0
# One class path for the launcher and the tests (the README test runs the
# quickstart with the tests' own class path).
java -Dfhirimport.repo="$PWD" -cp "$runtime:$out/classes:$out/test-classes:$junit" \
  org.junit.platform.console.ConsoleLauncher \
  --disable-banner --disable-ansi-colors --details=tree --fail-if-no-tests \
  --exclude-engine=junit-vintage --exclude-engine=junit-platform-suite \
  "${selection[@]}" || status=$?
echo "== Java SDK: $(( SECONDS - start )) s"
exit $status

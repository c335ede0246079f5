#!/usr/bin/env bash
# The SDKs' tools, installed when missing: Debian's Go (1.19) with its gRPC
# and protobuf libraries and plugins, protoc with the grpc-java plugin and
# the grpc-java, protobuf-java and JUnit 5 jars, and the TypeScript SDK's
# pinned npm packages (buf and protoc-gen-es among them). No module proxy or
# Maven repository is reachable here: Debian's packages are the only source
# for Go and Java, which is why the SDKs keep to their versions.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  golang-go protoc-gen-go protoc-gen-go-grpc
  golang-google-grpc-dev golang-google-protobuf-dev
  protobuf-compiler protobuf-compiler-grpc-java-plugin
  libgrpc-java libprotobuf-java junit5
  # grpc-java's runtime over Netty (libgrpc-java does not pull it in), and
  # what javac needs for the generated stubs' annotations.
  libnetty-java libperfmark-java libgoogle-gson-java libguava-java
  liberror-prone-java libjsr305-java libgeronimo-annotation-1.3-spec-java
)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

echo "== npm ci (sdk/typescript)"
(cd sdk/typescript && npm ci --no-audit --no-fund --loglevel=error)

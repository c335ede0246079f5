module github.com/fhir-import/fhir-import/sdk/go

// The versions Debian 12 ships (golang-google-grpc-dev, golang-google-protobuf-dev),
// which CI builds against in GOPATH mode; newer versions work too. No go.sum
// is committed: nothing here can reach a module proxy (see README.md).
go 1.19

require (
	google.golang.org/grpc v1.33.3
	google.golang.org/protobuf v1.28.1
)

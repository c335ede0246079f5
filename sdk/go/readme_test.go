package fhirimport_test

// The README's quickstart, run as pasted against the real server.

import (
	"bytes"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestReadmeQuickstart(t *testing.T) {
	t.Parallel()
	server := shared(t)
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, found := strings.Cut(string(readme), "## Quickstart")
	if !found {
		t.Fatal("README.md has no Quickstart section")
	}
	_, block, found := strings.Cut(after, "```go\n")
	if found {
		block, _, found = strings.Cut(block, "```")
	}
	if !found {
		t.Fatal("README.md has no go block under Quickstart")
	}
	formatted, err := format.Source([]byte(block))
	if err != nil || !bytes.Equal(formatted, []byte(block)) {
		t.Errorf("the quickstart is not gofmt-formatted (%v)", err)
	}
	_, body, _ := strings.Cut(block, "func main() {\n")
	body, _, _ = strings.Cut(body, "\n}\n")
	if lines := strings.Count(body, "\n") + 1; lines > 15 {
		t.Errorf("main has %d lines; the quickstart keeps it to 15", lines)
	}

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(block), 0o600); err != nil {
		t.Fatal(err)
	}
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		goTool = "go"
	}
	run := exec.Command(goTool, "run", "main.go")
	run.Dir = dir
	// The go environment of this test (GOPATH mode with the SDK in GOPATH,
	// as scripts/sdk-go.sh sets it up), and the server.
	run.Env = append(os.Environ(), "FHIR_IMPORT_SERVER="+server.BaseURL, "FHIR_IMPORT_TOKEN="+server.Token)
	out, err := run.CombinedOutput()
	if err != nil {
		t.Fatalf("go run: %v\n%s", err, out)
	}
	t.Logf("the quickstart printed: %s", out)
	for _, want := range []string{"accepted 1, rejected 1", "INVALID_JSON", "IMPORT_STATE_COMPLETED_WITH_ERRORS", "reads-1.cram"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the quickstart printed %q; want %q in it", out, want)
		}
	}
}

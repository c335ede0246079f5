package fhirimport_test

// Documents from NDJSON files, Bundles, channels and references; the input
// read as the stream takes it; the progress callback.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	fhirimport "github.com/fhir-import/fhir-import/sdk/go"
	pb "github.com/fhir-import/fhir-import/sdk/go/fhirimportv1"
)

func TestImportNDJSONAndBundle(t *testing.T) {
	t.Parallel()
	server := shared(t)
	client := dial(t, server)
	ctx := testContext(t)
	project, err := client.CreateProject(ctx, "go-sources", "")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()

	ndjson := filepath.Join(dir, "documents.ndjson")
	lines := documentJSON(t, 1) + "\n\n{broken\n" + documentJSON(t, 3) + "\r\n"
	if err := os.WriteFile(ndjson, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	result, err := client.ImportNDJSON(ctx, project.Id, ndjson, &fhirimport.ImportOptions{Metadata: map[string]string{"source": "ndjson"}})
	if err != nil {
		t.Fatal(err)
	}
	if result.Accepted != 2 || result.Rejected != 1 || len(result.Rejections) != 1 {
		t.Fatalf("accepted %d, rejected %d; want 2 and 1", result.Accepted, result.Rejected)
	}
	if r := result.Rejections[0]; r.Index != 1 || r.Line != 3 || r.Code != pb.RejectionCode_REJECTION_CODE_INVALID_JSON {
		t.Errorf("the rejection %v: want index 1 (documents, not lines, are counted), line 3, INVALID_JSON", r)
	}

	// As FHIR serializers write it: resourceType first.
	text := fmt.Sprintf(`{
  "resourceType": "Bundle",
  "type": "collection",
  "meta": {"tag": [{"code": "x"}]},
  "entry": [
    {"fullUrl": "urn:uuid:1", "resource": %s},
    {"resource": {"resourceType": "Patient", "id": "p"}},
    {"resource": %s, "search": {"mode": "match"}}
  ],
  "total": 3
}`, documentJSON(t, 10), documentJSON(t, 11))
	bundlePath := filepath.Join(dir, "bundle.json")
	if err := os.WriteFile(bundlePath, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	fromBundle, err := client.ImportBundle(ctx, project.Id, bundlePath, &fhirimport.ImportOptions{Metadata: map[string]string{"source": "bundle"}})
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if fromBundle.Received != 2 || fromBundle.Accepted != 2 || fromBundle.Rejected != 0 {
		t.Errorf("from the Bundle: received %d, accepted %d, rejected %d; want 2, 2, 0", fromBundle.Received, fromBundle.Accepted, fromBundle.Rejected)
	}
	for _, imported := range []*fhirimport.ImportResult{result, fromBundle} {
		if _, err := client.Wait(ctx, imported.ImportID); err != nil {
			t.Fatal(err)
		}
	}
	for source, want := range map[string][]string{"ndjson": {"sample-1.cram", "sample-3.cram"}, "bundle": {"sample-10.cram", "sample-11.cram"}} {
		files, err := client.ListFiles(ctx, project.Id, &fhirimport.FileQuery{Where: map[string]string{"source": source}}).All()
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, file := range files {
			names = append(names, file.Name)
		}
		if fmt.Sprint(names) != fmt.Sprint(want) {
			t.Errorf("files from the %s: %v, want %v", source, names, want)
		}
	}

	// Not a Bundle: the import fails, with why, and nothing is imported.
	patient := filepath.Join(dir, "patient.json")
	if err := os.WriteFile(patient, []byte(`{"resourceType": "Patient", "id": "p"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := client.ImportBundle(ctx, project.Id, patient, nil); err == nil || !strings.Contains(err.Error(), `not a FHIR Bundle: resourceType is "Patient"`) {
		t.Errorf("a Patient as a Bundle: %v", err)
	}
}

// The input is read as the stream takes it: documents reach the server
// while the input is still being written.
func TestImportStreamsAsTheInputComes(t *testing.T) {
	t.Parallel()
	server := shared(t)
	client := dial(t, server)
	ctx := testContext(t)
	project, err := client.CreateProject(ctx, "go-streaming", "")
	if err != nil {
		t.Fatal(err)
	}
	reader, writer := io.Pipe()
	progress := make(chan uint64, 100)
	done := make(chan error, 1)
	var result *fhirimport.ImportResult
	go func() {
		var err error
		result, err = client.ImportDocuments(ctx, project.Id, fhirimport.NDJSONDocuments(reader), &fhirimport.ImportOptions{
			OnProgress: func(sent uint64) { progress <- sent },
		})
		done <- err
	}()
	for n := 0; n < 3; n++ {
		if _, err := fmt.Fprintln(writer, documentJSON(t, n)); err != nil {
			t.Fatal(err)
		}
	}
	// Three documents sent before the rest of the input exists; the server
	// has them as received.
	for want := uint64(1); want <= 3; want++ {
		select {
		case sent := <-progress:
			if sent != want {
				t.Fatalf("progress %d, want %d", sent, want)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("nothing was sent while the input was open")
		}
	}
	for {
		imports, err := client.ListImports(ctx, project.Id).All()
		if err != nil {
			t.Fatal(err)
		}
		if len(imports) == 1 && imports[0].Counts.Received == 3 && imports[0].State == pb.ImportState_IMPORT_STATE_RECEIVING {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	fmt.Fprintln(writer, documentJSON(t, 3))
	writer.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if result.Accepted != 4 {
		t.Errorf("accepted %d, want 4", result.Accepted)
	}

	// A source that fails ends the import with its error.
	broken := fhirimport.DocumentFunc(func(context.Context) (fhirimport.Document, error) {
		return fhirimport.Document{}, errors.New("the portal's database went away")
	})
	if _, err := client.ImportDocuments(ctx, project.Id, broken, nil); err == nil || !strings.Contains(err.Error(), "the portal's database went away") {
		t.Errorf("a failing source: %v", err)
	}
	both := fhirimport.Document{Resource: document(1), Reference: "DocumentReference/doc-1"}
	if _, err := client.ImportDocuments(ctx, project.Id, fhirimport.Documents(both), nil); err == nil || !strings.Contains(err.Error(), "not both") {
		t.Errorf("a document with a resource and a reference: %v", err)
	}
}

func TestProgressCallbackAndChannels(t *testing.T) {
	t.Parallel()
	server := shared(t)
	client := dial(t, server)
	ctx := testContext(t)
	project, err := client.CreateProject(ctx, "go-progress", "")
	if err != nil {
		t.Fatal(err)
	}
	documents := make(chan fhirimport.Document)
	go func() {
		defer close(documents)
		for n := 0; n < 40; n++ {
			switch n % 4 {
			case 0:
				documents <- fhirimport.ResourceDocument(document(n))
			case 1:
				documents <- fhirimport.JSONDocument(documentJSON(t, n))
			case 2:
				documents <- fhirimport.ResourceDocument([]byte(documentJSON(t, n)))
			default:
				documents <- fhirimport.ResourceDocument(json.RawMessage(documentJSON(t, n))).WithMetadata(map[string]string{"n": fmt.Sprint(n)})
			}
		}
	}()
	var mu sync.Mutex
	var seen []uint64
	result, err := client.ImportDocuments(ctx, project.Id, fhirimport.DocumentChannel(documents), &fhirimport.ImportOptions{
		OnProgress: func(sent uint64) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, sent)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if result.Accepted != 40 || result.Rejected != 0 {
		t.Errorf("accepted %d, rejected %d; want 40 and 0: %v", result.Accepted, result.Rejected, result.Rejections)
	}
	if len(seen) != 40 || seen[0] != 1 || seen[39] != 40 {
		t.Errorf("progress %v; want 1 to 40", seen)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] != seen[i-1]+1 {
			t.Errorf("progress %v; want 1 to 40, one by one", seen)
			break
		}
	}

	// By reference, without a FHIR server: each rejected alone, by index.
	refs, err := client.ImportDocuments(ctx, project.Id, fhirimport.Documents(
		fhirimport.ReferenceDocument("doc-1"),
		fhirimport.ReferenceDocument("DocumentReference/doc-2"),
		fhirimport.Document{},
	), &fhirimport.ImportOptions{ValidateOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	codes := []pb.RejectionCode{}
	for _, r := range refs.Rejections {
		codes = append(codes, r.Code)
	}
	want := []pb.RejectionCode{
		pb.RejectionCode_REJECTION_CODE_REFERENCE_NOT_RESOLVABLE,
		pb.RejectionCode_REJECTION_CODE_REFERENCE_NOT_RESOLVABLE,
		pb.RejectionCode_REJECTION_CODE_EMPTY_DOCUMENT,
	}
	if fmt.Sprint(codes) != fmt.Sprint(want) || refs.ImportID != "" {
		t.Errorf("references without a FHIR server, validate only: %v (import %q); want %v", refs.Rejections, refs.ImportID, want)
	}
}

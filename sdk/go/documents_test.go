package fhirimport_test

// Document sources without a server: what an NDJSON input and a Bundle give,
// and how bad input ends them.

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	fhirimport "github.com/fhir-import/fhir-import/sdk/go"
)

// drain is every document of source, and the error that ended it (nil for
// io.EOF).
func drain(source fhirimport.DocumentSource) ([]fhirimport.Document, error) {
	var documents []fhirimport.Document
	for {
		document, err := source.Next(context.Background())
		if err == io.EOF {
			return documents, nil
		}
		if err != nil {
			return documents, err
		}
		documents = append(documents, document)
	}
}

func TestNDJSONLines(t *testing.T) {
	t.Parallel()
	source := fhirimport.NDJSONDocuments(strings.NewReader("\n{\"a\": 1}\r\n  \n\n{\"b\": 2}\n{\"c\": 3}"))
	documents, err := drain(source)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, d := range documents {
		texts = append(texts, d.Resource.(string))
	}
	if strings.Join(texts, " ") != `{"a": 1} {"b": 2} {"c": 3}` {
		t.Errorf("documents %q", texts)
	}
	for index, line := range []int{2, 5, 6} {
		if got := source.Line(uint64(index)); got != line {
			t.Errorf("document %d: line %d, want %d", index, got, line)
		}
	}
}

func TestBundleDocuments(t *testing.T) {
	t.Parallel()
	documents, err := drain(fhirimport.BundleDocuments(strings.NewReader(`{"resourceType": "Bundle", "id": "b",
		"entry": [{"resource": {"resourceType": "DocumentReference", "id": "d1"}}, {"request": {"method": "POST"}},
		{"resource": {"resourceType": "Observation"}}, {"resource": "odd"}, {"resource": {"id": "d2", "resourceType": "DocumentReference"}}],
		"link": []}`)))
	if err != nil {
		t.Fatal(err)
	}
	if len(documents) != 2 || documents[0].Resource != `{"resourceType":"DocumentReference","id":"d1"}` ||
		documents[1].Resource != `{"id":"d2","resourceType":"DocumentReference"}` {
		t.Errorf("documents %v", documents)
	}
	empty, err := drain(fhirimport.BundleDocuments(strings.NewReader(`{"resourceType": "Bundle", "type": "collection"}`)))
	if err != nil || len(empty) != 0 {
		t.Errorf("a Bundle without entries: %v, %v", empty, err)
	}

	for _, bad := range []struct{ input, want string }{
		{`{"resourceType": "Patient"}`, `resourceType is "Patient"`},
		{`{"id": "x"}`, "no resourceType"},
		{`{"entry": [], "resourceType": "Bundle"}`, "resourceType must come before its entries"},
		{`[1, 2]`, "expected {"},
		{`{"resourceType": "Bundle", "entry": [{"resource": {}}`, "unexpected EOF"},
		{`{"resourceType": "Bundle", "entry": [{"resource": {]}}`, "invalid character"},
		{``, "unexpected EOF"},
	} {
		input, want := bad.input, bad.want
		documents, err := drain(fhirimport.BundleDocuments(strings.NewReader(input)))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: want an error with %q, got %v (after %d documents)", input, want, err, len(documents))
		}
	}
}

func TestDocumentsAndChannels(t *testing.T) {
	t.Parallel()
	documents, err := drain(fhirimport.Documents(fhirimport.JSONDocument("{}"), fhirimport.ReferenceDocument("x")))
	if err != nil || len(documents) != 2 || documents[1].Reference != "DocumentReference/x" {
		t.Errorf("Documents: %v, %v", documents, err)
	}
	withBoth := fhirimport.JSONDocument("{}").WithMetadata(map[string]string{"a": "1"}).WithMetadata(map[string]string{"b": "2"})
	if len(withBoth.Metadata) != 2 {
		t.Errorf("metadata %v", withBoth.Metadata)
	}

	// A channel source ends when the channel is closed, or with the context.
	ch := make(chan fhirimport.Document, 1)
	ch <- fhirimport.JSONDocument("{}")
	close(ch)
	if documents, err := drain(fhirimport.DocumentChannel(ch)); err != nil || len(documents) != 1 {
		t.Errorf("a closed channel: %v, %v", documents, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := fhirimport.DocumentChannel(make(chan fhirimport.Document)).Next(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled wait on a channel: %v", err)
	}
}

func TestDialTargets(t *testing.T) {
	t.Parallel()
	for _, target := range []string{"http://127.0.0.1:50051", "127.0.0.1:50051", "https://fhir-import.example.org", "http://[::1]:1/"} {
		client, err := fhirimport.Dial(target)
		if err != nil {
			t.Errorf("Dial(%q): %v", target, err)
			continue
		}
		client.Close()
	}
	for _, target := range []string{"", "ftp://example.org", "http://example.org/api", "http://"} {
		if client, err := fhirimport.Dial(target); err == nil {
			client.Close()
			t.Errorf("Dial(%q) took it", target)
		}
	}
}

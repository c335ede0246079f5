package fhirimport_test

// What the tests share besides the server: clients, contexts, documents.

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	fhirimport "github.com/fhir-import/fhir-import/sdk/go"
)

// dial is a client of s with its token; closed when the test ends.
func dial(t *testing.T, s *testServer, options ...fhirimport.Option) *fhirimport.Client {
	t.Helper()
	if len(options) == 0 {
		options = []fhirimport.Option{fhirimport.WithToken(s.Token)}
	}
	client, err := fhirimport.Dial(s.BaseURL, options...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return client
}

// testContext is a context that ends with the test, or after a minute.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// document is a valid DocumentReference whose file is sample-<n>.cram.
func document(n int) map[string]interface{} {
	return map[string]interface{}{
		"resourceType": "DocumentReference",
		"id":           fmt.Sprintf("doc-%d", n),
		"status":       "current",
		"subject":      map[string]interface{}{"reference": fmt.Sprintf("Patient/pt-%d", n)},
		"content": []interface{}{map[string]interface{}{"attachment": map[string]interface{}{
			"url":   fmt.Sprintf("drs://example.org/file-%d", n),
			"title": fmt.Sprintf("sample-%d.cram", n),
			"size":  1000 + n,
		}}},
	}
}

func documentJSON(t *testing.T, n int) string {
	t.Helper()
	text, err := json.Marshal(document(n))
	if err != nil {
		t.Fatal(err)
	}
	return string(text)
}

package fhirimport

// Documents to import, and the sources an import pulls them from one at a
// time.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	pb "github.com/fhir-import/fhir-import/sdk/go/fhirimportv1"
)

// Document is one document to import: a DocumentReference, or a reference
// to one the server reads from the import's FHIR server; with metadata of
// the portal's own if wanted. Set Resource or Reference, not both.
type Document struct {
	// The DocumentReference: JSON text (a string, []byte or
	// json.RawMessage), sent as it is, or any other value (a
	// map[string]interface{}, a struct), sent as encoding/json marshals it.
	// Text that is not a DocumentReference is sent all the same: the server
	// rejects it alone, by its index.
	Resource interface{}
	// "DocumentReference/<id>", read from ImportOptions.FhirServer.
	Reference string
	// Metadata for the file, over ImportOptions.Metadata.
	Metadata map[string]string
}

// JSONDocument is a DocumentReference as JSON text.
func JSONDocument(text string) Document { return Document{Resource: text} }

// ResourceDocument is a DocumentReference as JSON text ([]byte,
// json.RawMessage, string) or as a value encoding/json marshals (a map, a
// struct).
func ResourceDocument(resource interface{}) Document { return Document{Resource: resource} }

// ReferenceDocument is the DocumentReference with this id (or
// "DocumentReference/<id>") on the import's FHIR server.
func ReferenceDocument(id string) Document {
	if !strings.Contains(id, "/") {
		id = "DocumentReference/" + id
	}
	return Document{Reference: id}
}

// WithMetadata is d with these metadata pairs added (over its own).
func (d Document) WithMetadata(metadata map[string]string) Document {
	merged := make(map[string]string, len(d.Metadata)+len(metadata))
	for k, v := range d.Metadata {
		merged[k] = v
	}
	for k, v := range metadata {
		merged[k] = v
	}
	d.Metadata = merged
	return d
}

// input is the message for d, with defaults under its own metadata.
func (d Document) input(defaults map[string]string) (*pb.DocumentInput, error) {
	input := &pb.DocumentInput{}
	switch {
	case d.Resource != nil && d.Reference != "":
		return nil, errors.New("set Resource or Reference, not both")
	case d.Reference != "":
		input.Source = &pb.DocumentInput_Reference{Reference: d.Reference}
	case d.Resource != nil:
		var text string
		switch resource := d.Resource.(type) {
		case string:
			text = resource
		case []byte:
			text = string(resource)
		case json.RawMessage:
			text = string(resource)
		default:
			encoded, err := json.Marshal(resource)
			if err != nil {
				return nil, fmt.Errorf("encoding the resource: %w", err)
			}
			text = string(encoded)
		}
		input.Source = &pb.DocumentInput_ResourceJson{ResourceJson: text}
	}
	// Neither: sent empty, rejected alone by the server (EMPTY_DOCUMENT).
	if len(defaults)+len(d.Metadata) > 0 {
		input.Metadata = make(map[string]string, len(defaults)+len(d.Metadata))
		for k, v := range defaults {
			input.Metadata[k] = v
		}
		for k, v := range d.Metadata {
			input.Metadata[k] = v
		}
	}
	return input, nil
}

// DocumentSource gives the documents of an import one at a time, as the
// import stream takes them. Next returns io.EOF after the last one; any
// other error ends the import with that error.
type DocumentSource interface {
	Next(ctx context.Context) (Document, error)
}

// DocumentFunc is a function as a DocumentSource (a generator).
type DocumentFunc func(ctx context.Context) (Document, error)

// Next calls f.
func (f DocumentFunc) Next(ctx context.Context) (Document, error) { return f(ctx) }

// Documents is a source of these documents.
func Documents(documents ...Document) DocumentSource {
	next := 0
	return DocumentFunc(func(context.Context) (Document, error) {
		if next == len(documents) {
			return Document{}, io.EOF
		}
		next++
		return documents[next-1], nil
	})
}

// DocumentChannel is a source of the documents sent on ch, until ch is
// closed.
func DocumentChannel(ch <-chan Document) DocumentSource {
	return DocumentFunc(func(ctx context.Context) (Document, error) {
		select {
		case document, ok := <-ch:
			if !ok {
				return Document{}, io.EOF
			}
			return document, nil
		case <-ctx.Done():
			return Document{}, ctx.Err()
		}
	})
}

package fhirimport

// Streaming documents into a project: one ImportDocuments call per import.

import (
	"context"
	"fmt"
	"io"
	"os"

	pb "github.com/fhir-import/fhir-import/sdk/go/fhirimportv1"
)

// ImportOptions are an import's header, and how to follow the sending.
type ImportOptions struct {
	// The registered FHIR server the documents come from: their metadata is
	// scraped from it, and documents given by reference are read from it.
	FhirServer string
	// What to do with documents imported before; OVERWRITE when unset.
	OnConflict pb.ConflictPolicy
	// At most 128 characters, unique per project: sending the same import
	// again with the key of a finished one answers that import's response
	// (Replayed) instead of importing again.
	IdempotencyKey string
	// Tags put on every file the import creates.
	Tags []string
	// Validate every document and report rejections, storing nothing.
	ValidateOnly bool
	// Metadata for every document (a document's own pairs win).
	Metadata map[string]string
	// Told how many documents the stream has taken so far, after each one.
	// The stream takes documents as the server reads them, so this follows
	// the server, not the input.
	OnProgress func(sent uint64)
}

// ImportResult is the server's answer to an import.
type ImportResult struct {
	// Empty for ValidateOnly.
	ImportID string
	// Documents received, accepted (stored durably) and rejected.
	Received, Accepted, Rejected uint64
	// The first 1000 rejections in stream order (ListImportItems lists
	// them all), RejectionsTruncated when there were more.
	Rejections          []Rejection
	RejectionsTruncated bool
	// The import as it stood when the answer was sent; nil for ValidateOnly.
	// Follow it with WatchImport or Wait.
	Import *pb.Import
	// True when this answers an earlier import with the same idempotency
	// key: nothing new was imported.
	Replayed bool
}

// Rejection is one rejected document.
type Rejection struct {
	// 0-based position among the documents sent.
	Index uint64
	// The DocumentReference id, when one could be read.
	DocumentID string
	Code       pb.RejectionCode
	// What is wrong and where, e.g. "content[0].attachment.url: required".
	Message string
	// The document's 1-based line in the file, for ImportNDJSON; 0 otherwise.
	Line int
}

func (r Rejection) String() string {
	where := fmt.Sprintf("#%d", r.Index)
	if r.Line > 0 {
		where = fmt.Sprintf("line %d", r.Line)
	}
	if r.DocumentID != "" {
		where += " " + r.DocumentID
	}
	return fmt.Sprintf("%s %s: %s", where, r.Code, r.Message)
}

// ImportDocuments streams the documents of source into project (its id or
// its owner/name slug) as one ImportDocuments call. Documents are pulled
// from source as the stream takes them, so a large input is never held in
// memory. Rejected documents do not fail the call: the result lists them.
// The call fails with the typed error of the server's status, or with
// source's error (the stream is then cancelled). The context's deadline
// covers the whole stream.
func (c *Client) ImportDocuments(ctx context.Context, project string, source DocumentSource, options *ImportOptions) (*ImportResult, error) {
	if options == nil {
		options = &ImportOptions{}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := c.Imports.ImportDocuments(ctx)
	if err != nil {
		return nil, err
	}
	header := &pb.ImportHeader{
		Project:        project,
		FhirServer:     options.FhirServer,
		OnConflict:     options.OnConflict,
		IdempotencyKey: options.IdempotencyKey,
		ValidateOnly:   options.ValidateOnly,
		Tags:           options.Tags,
	}
	err = stream.Send(&pb.ImportDocumentsRequest{Kind: &pb.ImportDocumentsRequest_Header{Header: header}})
	var sent uint64
	for err == nil {
		document, nextErr := source.Next(ctx)
		if nextErr == io.EOF {
			break
		}
		if nextErr != nil {
			return nil, fmt.Errorf("fhirimport: reading document %d: %w", sent, nextErr)
		}
		input, inputErr := document.input(options.Metadata)
		if inputErr != nil {
			return nil, fmt.Errorf("fhirimport: document %d: %w", sent, inputErr)
		}
		if err = stream.Send(&pb.ImportDocumentsRequest{Kind: &pb.ImportDocumentsRequest_Document{Document: input}}); err == nil {
			sent++
			if options.OnProgress != nil {
				options.OnProgress(sent)
			}
		}
	}
	// io.EOF from Send: the server ended the stream, and its answer says why.
	if err != nil && err != io.EOF {
		return nil, err
	}
	response, err := stream.CloseAndRecv()
	if err != nil {
		return nil, err
	}
	return newImportResult(response), nil
}

func newImportResult(response *pb.ImportDocumentsResponse) *ImportResult {
	result := &ImportResult{
		ImportID:            response.ImportId,
		Received:            response.Received,
		Accepted:            response.Accepted,
		Rejected:            response.Rejected,
		RejectionsTruncated: response.RejectionsTruncated,
		Import:              response.Import,
		Replayed:            response.Replayed,
	}
	for _, r := range response.Rejections {
		result.Rejections = append(result.Rejections, Rejection{Index: r.Index, DocumentID: r.DocumentId, Code: r.Code, Message: r.Message})
	}
	return result
}

// ImportNDJSON imports the NDJSON file at path, read line by line as the
// stream takes them (blank lines skipped); each rejection carries its line.
func (c *Client) ImportNDJSON(ctx context.Context, project, path string, options *ImportOptions) (*ImportResult, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("fhirimport: %w", err)
	}
	defer file.Close()
	source := NDJSONDocuments(file)
	result, err := c.ImportDocuments(ctx, project, source, options)
	if err != nil {
		return nil, err
	}
	for i := range result.Rejections {
		result.Rejections[i].Line = source.Line(result.Rejections[i].Index)
	}
	return result, nil
}

// ImportBundle imports the DocumentReferences of the FHIR Bundle (JSON) at
// path, read entry by entry as the stream takes them (see BundleDocuments).
func (c *Client) ImportBundle(ctx context.Context, project, path string, options *ImportOptions) (*ImportResult, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("fhirimport: %w", err)
	}
	defer file.Close()
	return c.ImportDocuments(ctx, project, BundleDocuments(file), options)
}

package fhirimport

// NDJSON files and FHIR Bundles as document sources, read as the import
// stream takes their documents: never the whole input in memory.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// NDJSONSource is the lines of an NDJSON input, one document each. Blank
// lines are skipped; every other line goes to the server as it is, which
// rejects a bad one alone.
type NDJSONSource struct {
	reader *bufio.Reader
	sent   uint64
	// The index of the document after each blank line, in order.
	blanks []uint64
	done   bool
}

// NDJSONDocuments reads documents from r, one line at a time.
func NDJSONDocuments(r io.Reader) *NDJSONSource {
	return &NDJSONSource{reader: bufio.NewReaderSize(r, 64<<10)}
}

// Next is the next non-blank line.
func (s *NDJSONSource) Next(ctx context.Context) (Document, error) {
	for !s.done {
		if err := ctx.Err(); err != nil {
			return Document{}, err
		}
		line, err := s.reader.ReadString('\n')
		if err == io.EOF {
			s.done = true
		} else if err != nil {
			return Document{}, fmt.Errorf("reading NDJSON: %w", err)
		}
		line = strings.TrimRight(line, "\r\n")
		if strings.TrimSpace(line) == "" {
			if !s.done {
				s.blanks = append(s.blanks, s.sent)
			}
			continue
		}
		s.sent++
		return JSONDocument(line), nil
	}
	return Document{}, io.EOF
}

// Line is the 1-based line of the document at index (as the server counts
// documents: rejections name them so).
func (s *NDJSONSource) Line(index uint64) int {
	blanksBefore := sort.Search(len(s.blanks), func(i int) bool { return s.blanks[i] > index })
	return int(index) + 1 + blanksBefore
}

// bundleSource walks a Bundle's JSON with a streaming decoder: one entry in
// memory at a time.
type bundleSource struct {
	decoder   *json.Decoder
	started   bool
	isBundle  bool
	inEntries bool
	err       error
}

// BundleDocuments is a source of the DocumentReferences among the entries
// of the FHIR Bundle (JSON) that r reads; other resources are skipped. It
// reads the Bundle as the import takes its documents, so its resourceType
// must come before its entries (as FHIR serializers write it). Input that
// is not a Bundle ends the import with an error.
func BundleDocuments(r io.Reader) DocumentSource {
	return &bundleSource{decoder: json.NewDecoder(r)}
}

func (b *bundleSource) Next(ctx context.Context) (Document, error) {
	if b.err != nil {
		return Document{}, b.err
	}
	document, err := b.next(ctx)
	if err != nil {
		b.err = err
	}
	return document, err
}

func (b *bundleSource) next(ctx context.Context) (Document, error) {
	for {
		if err := ctx.Err(); err != nil {
			return Document{}, err
		}
		switch {
		case !b.started:
			if err := b.expect(json.Delim('{')); err != nil {
				return Document{}, err
			}
			b.started = true
		case b.inEntries && b.decoder.More():
			var entry struct {
				Resource json.RawMessage `json:"resource"`
			}
			if err := b.decoder.Decode(&entry); err != nil {
				return Document{}, bundleError(err)
			}
			var kind struct {
				ResourceType string `json:"resourceType"`
			}
			if json.Unmarshal(entry.Resource, &kind) != nil || kind.ResourceType != "DocumentReference" {
				continue
			}
			var compact bytes.Buffer
			if err := json.Compact(&compact, entry.Resource); err != nil {
				return Document{}, bundleError(err)
			}
			return JSONDocument(compact.String()), nil
		case b.inEntries:
			if err := b.expect(json.Delim(']')); err != nil {
				return Document{}, err
			}
			b.inEntries = false
		case !b.decoder.More():
			if err := b.expect(json.Delim('}')); err != nil {
				return Document{}, err
			}
			if !b.isBundle {
				return Document{}, errors.New("not a FHIR Bundle: no resourceType")
			}
			return Document{}, io.EOF
		default:
			if err := b.member(); err != nil {
				return Document{}, err
			}
		}
	}
}

// member reads one member of the Bundle object, up to its entries.
func (b *bundleSource) member() error {
	token, err := b.decoder.Token()
	if err != nil {
		return bundleError(err)
	}
	switch token {
	case "resourceType":
		var resourceType string
		if err := b.decoder.Decode(&resourceType); err != nil {
			return bundleError(err)
		}
		if resourceType != "Bundle" {
			return fmt.Errorf("not a FHIR Bundle: resourceType is %q", resourceType)
		}
		b.isBundle = true
	case "entry":
		if !b.isBundle {
			return errors.New("reading a Bundle: its resourceType must come before its entries")
		}
		if err := b.expect(json.Delim('[')); err != nil {
			return err
		}
		b.inEntries = true
	default:
		var skipped json.RawMessage
		if err := b.decoder.Decode(&skipped); err != nil {
			return bundleError(err)
		}
	}
	return nil
}

func (b *bundleSource) expect(delim json.Delim) error {
	token, err := b.decoder.Token()
	if err != nil {
		return bundleError(err)
	}
	if token != delim {
		return fmt.Errorf("reading a Bundle: expected %v, found %v", delim, token)
	}
	return nil
}

func bundleError(err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("reading a Bundle: %w", err)
}

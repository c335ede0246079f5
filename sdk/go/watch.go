package fhirimport

// Following an import: events that survive a server restart or a dropped
// connection, and waiting for the end.

import (
	"context"
	"io"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/fhir-import/fhir-import/sdk/go/fhirimportv1"
)

// WatchOptions tune WatchImport.
type WatchOptions struct {
	// Only events after this sequence (0: a snapshot, then every event).
	AfterSequence uint64
	// Reconnects in a row after UNAVAILABLE before giving up; 0 means 10,
	// a negative number none.
	MaxReconnects int
	// Pause before the first reconnect, doubled each time up to 5 s; 0
	// means 100 ms.
	Backoff time.Duration
	// Told of each reconnect: the error that broke the stream, the attempt
	// (1, 2, …).
	OnReconnect func(err error, attempt int)
}

// IsTerminal reports whether an import in state has ended: COMPLETED,
// COMPLETED_WITH_ERRORS, FAILED or CANCELLED.
func IsTerminal(state pb.ImportState) bool {
	switch state {
	case pb.ImportState_IMPORT_STATE_COMPLETED, pb.ImportState_IMPORT_STATE_COMPLETED_WITH_ERRORS,
		pb.ImportState_IMPORT_STATE_FAILED, pb.ImportState_IMPORT_STATE_CANCELLED:
		return true
	}
	return false
}

// WatchImport is the import's events until it ends: a snapshot first, then
// one event per change, sequences strictly increasing. When the server
// drains or restarts, or the connection drops (UNAVAILABLE), it reconnects
// and resumes after the last sequence it yielded, skipping the new
// connection's snapshot, so that nothing is missed or repeated. Other
// errors (NOT_FOUND, OUT_OF_RANGE, …) end it: see Err.
func (c *Client) WatchImport(ctx context.Context, importID string, options *WatchOptions) *Iterator[*pb.ImportEvent] {
	w := &watch{client: c, importID: importID}
	if options != nil {
		w.options = *options
	}
	if w.options.MaxReconnects == 0 {
		w.options.MaxReconnects = 10
	}
	if w.options.Backoff == 0 {
		w.options.Backoff = 100 * time.Millisecond
	}
	w.after = w.options.AfterSequence
	w.ctx, w.cancel = context.WithCancel(ctx)
	return newIterator(w.next, w.cancel)
}

type watch struct {
	client   *Client
	importID string
	options  WatchOptions
	ctx      context.Context
	cancel   context.CancelFunc

	stream       pb.ImportService_WatchImportClient
	streamCancel context.CancelFunc
	after        uint64
	snapshotSeen bool
	failures     int
}

func (w *watch) next() (*pb.ImportEvent, error) {
	for {
		if w.stream == nil {
			ctx, cancel := context.WithCancel(w.ctx)
			stream, err := w.client.Imports.WatchImport(ctx, &pb.WatchImportRequest{ImportId: w.importID, AfterSequence: w.after})
			if err != nil {
				cancel()
				if err := w.reconnect(err); err != nil {
					return nil, err
				}
				continue
			}
			w.stream, w.streamCancel = stream, cancel
		}
		event, err := w.stream.Recv()
		if err == io.EOF {
			w.drop()
			return nil, io.EOF
		}
		if err != nil {
			w.drop()
			if err := w.reconnect(err); err != nil {
				return nil, err
			}
			continue
		}
		w.failures = 0
		if event.GetSnapshot() != nil {
			// Each connection starts with one; the caller has had it.
			if w.snapshotSeen {
				continue
			}
			w.snapshotSeen = true
			return event, nil
		}
		if event.Sequence > w.after {
			w.after = event.Sequence
			return event, nil
		}
	}
}

func (w *watch) drop() {
	if w.streamCancel != nil {
		w.streamCancel()
	}
	w.stream, w.streamCancel = nil, nil
}

// reconnect waits before the next attempt after broken, or is broken when
// it may not be retried.
func (w *watch) reconnect(broken error) error {
	if status.Code(broken) != codes.Unavailable || w.failures >= w.options.MaxReconnects || w.ctx.Err() != nil {
		return broken
	}
	pause := doubling(w.options.Backoff, w.failures)
	w.failures++
	if w.options.OnReconnect != nil {
		w.options.OnReconnect(broken, w.failures)
	}
	if !sleep(w.ctx, pause) {
		return contextError(w.ctx.Err())
	}
	return nil
}

// Wait follows the import to its end and returns it as it ended. The
// context bounds the wait.
func (c *Client) Wait(ctx context.Context, importID string) (*pb.Import, error) {
	current, err := c.GetImport(ctx, importID)
	if err != nil {
		return nil, err
	}
	if IsTerminal(current.State) {
		return current, nil
	}
	// Only what comes after where it stands now; the stream ends with it.
	events := c.WatchImport(ctx, importID, &WatchOptions{AfterSequence: current.LastSequence})
	defer events.Close()
	for events.Next() {
	}
	if err := events.Err(); err != nil {
		return nil, err
	}
	return c.GetImport(ctx, importID)
}

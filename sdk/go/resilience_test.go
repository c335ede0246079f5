package fhirimport_test

// Through server restarts: a watch resumes by sequence, missing and
// repeating nothing; a read is sent again while the server is down, a write
// is not.

import (
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	fhirimport "github.com/fhir-import/fhir-import/sdk/go"
	pb "github.com/fhir-import/fhir-import/sdk/go/fhirimportv1"
)

func TestWatchResumesAfterRestart(t *testing.T) {
	t.Parallel()
	watchResumes(t, own(t, "FHIR_IMPORT__SHUTDOWN_GRACE_MS=300"), false)
}

// The server is killed (kill -9: no drain, its connections just die) and
// started again; a short lease lets the new one take the import over at once.
func TestWatchResumesAfterTheConnectionDrops(t *testing.T) {
	t.Parallel()
	watchResumes(t, own(t, "FHIR_IMPORT__IMPORT__LEASE_MS=500"), true)
}

func watchResumes(t *testing.T, server *testServer, kill bool) {
	client := dial(t, server)
	ctx := testContext(t)
	project, err := client.CreateProject(ctx, "go-resume", "")
	if err != nil {
		t.Fatal(err)
	}

	// A stream that sends five documents and stays open: the import keeps
	// receiving until the restart cuts it.
	release := make(chan struct{})
	sent := 0
	held := fhirimport.DocumentFunc(func(ctx context.Context) (fhirimport.Document, error) {
		if sent < 5 {
			sent++
			return fhirimport.ResourceDocument(document(sent)), nil
		}
		<-release
		return fhirimport.Document{}, io.EOF
	})
	sending := make(chan error, 1)
	go func() {
		_, err := client.ImportDocuments(ctx, project.Id, held, nil)
		sending <- err
	}()
	var importID string
	for importID == "" {
		imports, err := client.ListImports(ctx, project.Id).All()
		if err != nil {
			t.Fatal(err)
		}
		if len(imports) == 1 && imports[0].Counts.Received == 5 {
			importID = imports[0].Id
		} else {
			time.Sleep(50 * time.Millisecond)
		}
	}

	var (
		mu         sync.Mutex
		events     []*pb.ImportEvent
		reconnects []error
		// How many events the watch had given when it first reconnected.
		beforeReconnect = -1
	)
	watching := make(chan error, 1)
	go func() {
		watch := client.WatchImport(ctx, importID, &fhirimport.WatchOptions{
			OnReconnect: func(err error, attempt int) {
				mu.Lock()
				defer mu.Unlock()
				reconnects = append(reconnects, err)
				if beforeReconnect < 0 {
					beforeReconnect = len(events)
				}
			},
		})
		for watch.Next() {
			mu.Lock()
			events = append(events, watch.Value())
			mu.Unlock()
		}
		watching <- watch.Err()
	}()
	for {
		mu.Lock()
		started := len(events) > 0
		mu.Unlock()
		if started {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}

	stopAndStart := server.restart
	if kill {
		stopAndStart = server.killAndStart
	}
	if err := stopAndStart(); err != nil {
		t.Fatal(err)
	}
	close(release)
	cut := <-sending
	var unavailable *fhirimport.UnavailableError
	if kill && cut == nil {
		t.Error("the import stream outlived its server")
	} else if !kill && !errors.As(cut, &unavailable) {
		t.Errorf("the import stream was cut by the restart: want UnavailableError, got %v", cut)
	}
	if err := <-watching; err != nil {
		t.Fatalf("the watch ended with %v", err)
	}

	t.Logf("%d events (sequences %v), %d reconnects, the first after %d events", len(events), sequences(events), len(reconnects), beforeReconnect)
	if len(reconnects) == 0 {
		t.Error("the watch did not reconnect")
	} else if beforeReconnect >= len(events) {
		t.Errorf("no event after the reconnect (%d before it)", beforeReconnect)
	}
	for _, err := range reconnects {
		if status.Code(err) != codes.Unavailable {
			t.Errorf("reconnected after %v; want UNAVAILABLE only", err)
		}
	}
	snapshots := 0
	for _, event := range events {
		if event.GetSnapshot() != nil {
			snapshots++
		}
	}
	if snapshots != 1 || events[0].GetSnapshot() == nil {
		t.Errorf("want one snapshot, first; got %d", snapshots)
	}
	for i := 2; i < len(events); i++ {
		if events[i].Sequence <= events[i-1].Sequence {
			t.Errorf("event %d: sequence %d after %d (a gap is fine, a repeat or step back is not)", i, events[i].Sequence, events[i-1].Sequence)
		}
	}
	last := events[len(events)-1]
	if change := last.GetStateChange(); change == nil || change.State != pb.ImportState_IMPORT_STATE_COMPLETED_WITH_ERRORS {
		t.Errorf("the last event: %v; want the change to COMPLETED_WITH_ERRORS", last)
	}
	finished, err := client.GetImport(ctx, importID)
	if err != nil {
		t.Fatal(err)
	}
	if finished.LastSequence != last.Sequence {
		t.Errorf("the watch ended at %d; the import's last event is %d", last.Sequence, finished.LastSequence)
	}
	if finished.Counts.Imported != 5 {
		t.Errorf("imported %d; want 5", finished.Counts.Imported)
	}
	// Every event the import has is one the watch gave: none missed.
	replay, err := client.WatchImport(ctx, importID, nil).All()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sequences(events), sequences(replay); !equal(got, want) {
		t.Errorf("the watch through the restart gave sequences %v; the ended import has %v", got, want)
	}
}

// sequences are the events' sequences after the snapshot.
func sequences(events []*pb.ImportEvent) []uint64 {
	var all []uint64
	for _, event := range events {
		if event.GetSnapshot() == nil {
			all = append(all, event.Sequence)
		}
	}
	return all
}

func equal(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestReadsRetriedWritesNot(t *testing.T) {
	t.Parallel()
	server := own(t)
	client := dial(t, server,
		fhirimport.WithToken(server.Token),
		fhirimport.WithRetry(fhirimport.RetryPolicy{Retries: 10, Backoff: 100 * time.Millisecond}))
	ctx := testContext(t)
	project, err := client.CreateProject(ctx, "go-retry", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := server.down(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = server.up() }()

	_, err = client.CreateProject(ctx, "go-retry-2", "")
	if !errors.Is(err, fhirimport.ErrUnavailable) {
		t.Errorf("a write while the server is down: want UnavailableError at once, got %v", err)
	}
	read := make(chan error, 1)
	go func() {
		again, err := client.Projects.GetProject(ctx, &pb.GetProjectRequest{Project: project.Id})
		if err == nil && again.Id != project.Id {
			err = errors.New("another project came back")
		}
		read <- err
	}()
	time.Sleep(300 * time.Millisecond)
	if err := server.up(); err != nil {
		t.Fatal(err)
	}
	if err := <-read; err != nil {
		t.Errorf("a read sent while the server was down: %v", err)
	}

	// Without retries the same read fails at once.
	if err := server.down(); err != nil {
		t.Fatal(err)
	}
	once := dial(t, server, fhirimport.WithToken(server.Token), fhirimport.WithRetry(fhirimport.RetryPolicy{}))
	if _, err := once.GetImport(ctx, "01890000-0000-7000-8000-000000000000"); !errors.Is(err, fhirimport.ErrUnavailable) {
		t.Errorf("a read without retries while the server is down: want UnavailableError, got %v", err)
	}
}

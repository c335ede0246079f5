package fhirimport_test

// Each status the API documents reaches the caller as its own error type,
// from unary calls and from streams alike, with the server's message, and
// usable with errors.As, errors.Is and grpc's status package.

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	fhirimport "github.com/fhir-import/fhir-import/sdk/go"
	pb "github.com/fhir-import/fhir-import/sdk/go/fhirimportv1"
)

const unknownImport = "01890000-0000-7000-8000-000000000000"

// expectTyped checks that err is a *T of code, with a message from the
// server, found by errors.As (as *T and as *StatusError), errors.Is
// (sentinel) and status.Code.
func expectTyped[T any, PT interface {
	*T
	error
}](t *testing.T, what string, err error, code codes.Code, sentinel error) PT {
	t.Helper()
	var typed PT
	if !errors.As(err, &typed) {
		t.Fatalf("%s: want %T, got %T: %v", what, typed, err, err)
	}
	var base *fhirimport.StatusError
	if !errors.As(err, &base) || base.Code != code || base.Message == "" {
		t.Errorf("%s: want code %v and the server's message, got %+v", what, code, base)
	}
	if !errors.Is(err, sentinel) {
		t.Errorf("%s: errors.Is(err, %v) is false", what, sentinel)
	}
	for _, other := range []error{fhirimport.ErrNotFound, fhirimport.ErrUnavailable, fhirimport.ErrInvalidArgument} {
		if other != sentinel && errors.Is(err, other) {
			t.Errorf("%s: errors.Is(err, %v) is true", what, other)
		}
	}
	if status.Code(err) != code {
		t.Errorf("%s: status.Code is %v, want %v", what, status.Code(err), code)
	}
	return typed
}

func TestErrorsUnauthenticated(t *testing.T) {
	t.Parallel()
	server := shared(t)
	client := dial(t, server, fhirimport.WithToken("not-a-token"))
	_, err := client.Projects.ListProjects(testContext(t), &pb.ListProjectsRequest{})
	expectTyped[fhirimport.UnauthenticatedError](t, "a token the server never issued", err, codes.Unauthenticated, fhirimport.ErrUnauthenticated)
}

func TestErrorsPermissionDenied(t *testing.T) {
	t.Parallel()
	server := shared(t)
	// A portal's own token (no user) may not open a user's projects.
	client := dial(t, server, fhirimport.WithTokenSource(server.Portal.ClientCredentials(nil)))
	_, err := client.ListProjects(testContext(t)).All()
	expectTyped[fhirimport.PermissionDeniedError](t, "ListProjects with the portal's own token", err, codes.PermissionDenied, fhirimport.ErrPermissionDenied)
}

func TestErrorsNotFound(t *testing.T) {
	t.Parallel()
	server := shared(t)
	client := dial(t, server)
	ctx := testContext(t)

	_, err := client.Projects.GetProject(ctx, &pb.GetProjectRequest{Project: "sdk/no-such-project"})
	notFound := expectTyped[fhirimport.NotFoundError](t, "GetProject", err, codes.NotFound, fhirimport.ErrNotFound)
	if notFound.Code != codes.NotFound {
		t.Errorf("the typed error's own code: %v", notFound.Code)
	}
	_, err = client.GetImport(ctx, unknownImport)
	expectTyped[fhirimport.NotFoundError](t, "GetImport", err, codes.NotFound, fhirimport.ErrNotFound)

	watch := client.WatchImport(ctx, unknownImport, nil)
	if watch.Next() {
		t.Errorf("an event for an unknown import: %v", watch.Value())
	}
	expectTyped[fhirimport.NotFoundError](t, "WatchImport (a stream)", watch.Err(), codes.NotFound, fhirimport.ErrNotFound)

	// The raw generated stream too.
	stream, err := client.Imports.WatchImport(ctx, &pb.WatchImportRequest{ImportId: unknownImport})
	if err == nil {
		_, err = stream.Recv()
	}
	expectTyped[fhirimport.NotFoundError](t, "the generated WatchImport stream", err, codes.NotFound, fhirimport.ErrNotFound)

	_, err = client.ImportDocuments(ctx, "sdk/no-such-project", fhirimport.Documents(fhirimport.ResourceDocument(document(1))), nil)
	expectTyped[fhirimport.NotFoundError](t, "ImportDocuments into no project", err, codes.NotFound, fhirimport.ErrNotFound)
}

func TestErrorsOfImports(t *testing.T) {
	t.Parallel()
	server := shared(t)
	client := dial(t, server)
	ctx := testContext(t)
	project, err := client.CreateProject(ctx, "go-errors", "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.CreateProject(ctx, "go-errors", "")
	expectTyped[fhirimport.AlreadyExistsError](t, "the same project again", err, codes.AlreadyExists, fhirimport.ErrAlreadyExists)
	_, err = client.CreateProject(ctx, "", "")
	expectTyped[fhirimport.InvalidArgumentError](t, "a project without a name", err, codes.InvalidArgument, fhirimport.ErrInvalidArgument)

	result, err := client.ImportDocuments(ctx, project.Id, fhirimport.Documents(fhirimport.ResourceDocument(document(1))), nil)
	if err != nil {
		t.Fatal(err)
	}
	finished, err := client.Wait(ctx, result.ImportID)
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.Imports.CancelImport(ctx, &pb.CancelImportRequest{ImportId: result.ImportID})
	expectTyped[fhirimport.FailedPreconditionError](t, "cancelling a finished import", err, codes.FailedPrecondition, fhirimport.ErrFailedPrecondition)

	watch := client.WatchImport(ctx, result.ImportID, &fhirimport.WatchOptions{AfterSequence: finished.LastSequence + 100})
	for watch.Next() {
	}
	expectTyped[fhirimport.OutOfRangeError](t, "watching after the last event", watch.Err(), codes.OutOfRange, fhirimport.ErrOutOfRange)
}

// Deadlines and cancellation come from the call's context.
func TestErrorsOfContexts(t *testing.T) {
	t.Parallel()
	server := shared(t)
	client := dial(t, server)

	expired, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-expired.Done()
	_, err := client.Projects.ListProjects(expired, &pb.ListProjectsRequest{})
	var deadline *fhirimport.DeadlineExceededError
	if !errors.As(err, &deadline) || !errors.Is(err, fhirimport.ErrDeadlineExceeded) {
		t.Errorf("a call past its deadline: want DeadlineExceededError, got %T %v", err, err)
	}

	// A watch of an import still receiving, cancelled while it waits.
	ctx := testContext(t)
	project, err := client.CreateProject(ctx, "go-contexts", "")
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan fhirimport.Document)
	defer close(release)
	go func() {
		_, _ = client.ImportDocuments(ctx, project.Id, fhirimport.DocumentChannel(release), nil)
	}()
	var importID string
	for importID == "" {
		imports, err := client.ListImports(ctx, project.Id).All()
		if err != nil {
			t.Fatal(err)
		}
		if len(imports) == 1 {
			importID = imports[0].Id
		} else {
			time.Sleep(20 * time.Millisecond)
		}
	}
	watching, stop := context.WithCancel(ctx)
	watch := client.WatchImport(watching, importID, nil)
	if !watch.Next() || watch.Value().GetSnapshot() == nil {
		t.Fatalf("no snapshot: %v", watch.Err())
	}
	time.AfterFunc(100*time.Millisecond, stop)
	for watch.Next() {
	}
	var canceled *fhirimport.CanceledError
	if !errors.As(watch.Err(), &canceled) {
		t.Errorf("a watch whose context was cancelled: want CanceledError, got %T %v", watch.Err(), watch.Err())
	}
	// A deadline that passes while waiting for the import.
	short, cancelShort := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancelShort()
	if _, err := client.Wait(short, importID); !errors.Is(err, fhirimport.ErrDeadlineExceeded) {
		t.Errorf("Wait past its deadline: want DeadlineExceededError, got %v", err)
	}
}

func TestErrorsUnavailable(t *testing.T) {
	t.Parallel()
	// A port nothing listens on.
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	address := listener.Addr().String()
	listener.Close()
	client, err := fhirimport.Dial("http://"+address, fhirimport.WithToken("t"), fhirimport.WithRetry(fhirimport.RetryPolicy{}))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	_, err = client.Projects.GetProject(testContext(t), &pb.GetProjectRequest{Project: "p"})
	expectTyped[fhirimport.UnavailableError](t, "no server", err, codes.Unavailable, fhirimport.ErrUnavailable)
}

// A cap on open import streams answers RESOURCE_EXHAUSTED with its details.
func TestErrorsResourceExhausted(t *testing.T) {
	t.Parallel()
	server := own(t, "FHIR_IMPORT__IMPORT__MAX_STREAMS_PER_USER=1")
	client := dial(t, server)
	ctx := testContext(t)
	project, err := client.CreateProject(ctx, "go-exhausted", "")
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan fhirimport.Document)
	first := make(chan error, 1)
	go func() {
		_, err := client.ImportDocuments(ctx, project.Id, fhirimport.DocumentChannel(release), nil)
		first <- err
	}()
	for {
		imports, err := client.ListImports(ctx, project.Id).All()
		if err != nil {
			t.Fatal(err)
		}
		if len(imports) == 1 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	_, err = client.ImportDocuments(ctx, project.Id, fhirimport.Documents(fhirimport.ResourceDocument(document(1))), nil)
	exhausted := expectTyped[fhirimport.ResourceExhaustedError](t, "a second stream over the cap", err, codes.ResourceExhausted, fhirimport.ErrResourceExhausted)
	if delay, ok := exhausted.RetryDelay(); !ok || delay <= 0 {
		t.Errorf("no RetryInfo among the details %v", exhausted.Details)
	}
	close(release)
	if err := <-first; err != nil {
		t.Errorf("the first stream: %v", err)
	}
}

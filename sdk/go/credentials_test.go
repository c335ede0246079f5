package fhirimport_test

// Token sources: a portal's own token from its client credentials, fetched
// again before it expires and shared by concurrent calls; a source that
// fails makes the call fail UNAUTHENTICATED, carrying why.

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	fhirimport "github.com/fhir-import/fhir-import/sdk/go"
	pb "github.com/fhir-import/fhir-import/sdk/go/fhirimportv1"
)

func TestClientCredentialsRenewed(t *testing.T) {
	t.Parallel()
	server := shared(t)
	ctx := testContext(t)
	// Tokens live 15 minutes; asking for a new one 14 m 56 s early makes the
	// source fetch again four seconds after each fetch (room for a loaded machine).
	source := server.Portal.ClientCredentials(&fhirimport.TokenOptions{RefreshBefore: 15*time.Minute - 4*time.Second})
	var mu sync.Mutex
	seen := map[string]bool{}
	counting := fhirimport.TokenFunc(func(ctx context.Context) (string, error) {
		token, err := source.Token(ctx)
		mu.Lock()
		defer mu.Unlock()
		seen[token] = err == nil
		return token, err
	})
	client := dial(t, server, fhirimport.WithTokenSource(counting))

	// The test portal holds the admin scope: its own token (no user) may
	// list schemas, not open projects.
	for i := 0; i < 2; i++ {
		if _, err := client.Schemas.ListSchemas(ctx, &pb.ListSchemasRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	if len(seen) != 1 {
		t.Errorf("%d tokens for two calls within a token's life; want 1", len(seen))
	}
	time.Sleep(4200 * time.Millisecond)
	if _, err := client.Schemas.ListSchemas(ctx, &pb.ListSchemasRequest{}); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 {
		t.Errorf("%d tokens; want a second one once the first was near its end", len(seen))
	}
	if _, err := client.Projects.ListProjects(ctx, &pb.ListProjectsRequest{}); !errors.Is(err, fhirimport.ErrPermissionDenied) {
		t.Errorf("ListProjects with the portal's own token: want PermissionDeniedError, got %v", err)
	}
}

func TestClientCredentialsRefused(t *testing.T) {
	t.Parallel()
	server := shared(t)
	ctx := testContext(t)
	wrong := server.Portal
	wrong.ClientSecret = "wrong"
	source := wrong.ClientCredentials(nil)
	_, err := source.Token(ctx)
	var refused *fhirimport.TokenRequestError
	if !errors.As(err, &refused) || refused.StatusCode != 401 || refused.Code != "invalid_client" {
		t.Fatalf("a wrong secret: want a TokenRequestError 401 invalid_client, got %v", err)
	}

	client := dial(t, server, fhirimport.WithTokenSource(source))
	_, err = client.Schemas.ListSchemas(ctx, &pb.ListSchemasRequest{})
	var unauthenticated *fhirimport.UnauthenticatedError
	if !errors.As(err, &unauthenticated) {
		t.Fatalf("a call whose token source fails: want UnauthenticatedError, got %T %v", err, err)
	}
	if !errors.As(err, &refused) || refused.Code != "invalid_client" {
		t.Errorf("the call's error does not carry the token request's: %v", err)
	}
	// Streams too, before anything is sent.
	_, err = client.ImportDocuments(ctx, "sdk/anything", fhirimport.Documents(), nil)
	if !errors.As(err, &unauthenticated) || !errors.As(err, &refused) {
		t.Errorf("an import whose token source fails: want UnauthenticatedError carrying the TokenRequestError, got %v", err)
	}
}

// Concurrent callers share one fetch, and a token is reused until
// RefreshBefore its expiry.
func TestRenewingTokenSharesFetches(t *testing.T) {
	t.Parallel()
	var fetches int32
	gate := make(chan struct{})
	source := fhirimport.RenewingToken(func(ctx context.Context) (*fhirimport.Tokens, error) {
		n := atomic.AddInt32(&fetches, 1)
		<-gate
		return &fhirimport.Tokens{AccessToken: string(rune('a' + n - 1)), ExpiresAt: time.Now().Add(time.Hour)}, nil
	}, time.Minute)
	ctx := testContext(t)
	var wg sync.WaitGroup
	tokens := make([]string, 8)
	for i := range tokens {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			tokens[i], _ = source.Token(ctx)
		}(i)
	}
	time.Sleep(50 * time.Millisecond)
	close(gate)
	wg.Wait()
	for _, token := range tokens {
		if token != "a" {
			t.Errorf("tokens %v; want the one fetch's for all", tokens)
			break
		}
	}
	if token, err := source.Token(ctx); err != nil || token != "a" || atomic.LoadInt32(&fetches) != 1 {
		t.Errorf("a call within the token's life fetched again (%d fetches, %q, %v)", fetches, token, err)
	}

	// A token that expires within RefreshBefore is fetched again; a failed
	// fetch fails the calls waiting for it, and the next call tries again.
	var calls int32
	failing := fhirimport.RenewingToken(func(ctx context.Context) (*fhirimport.Tokens, error) {
		if atomic.AddInt32(&calls, 1) == 2 {
			return nil, errors.New("the token endpoint is down")
		}
		return &fhirimport.Tokens{AccessToken: "t", ExpiresAt: time.Now().Add(30 * time.Second)}, nil
	}, time.Minute)
	for i, wantErr := range []bool{false, true, false} {
		_, err := failing.Token(ctx)
		if (err != nil) != wantErr {
			t.Errorf("call %d: error %v, want one: %v", i+1, err, wantErr)
		}
	}
	if calls != 3 {
		t.Errorf("%d fetches for three calls near expiry; want 3", calls)
	}
}

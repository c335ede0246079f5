package fhirimport

// Token sources: where the bearer token of each call comes from, and the
// one way this SDK asks the token endpoint for tokens.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// TokenSource gives the bearer token for a call, when the call is made. A
// source that fails makes the call fail with UnauthenticatedError, which
// unwraps to the source's error.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// TokenFunc is a function as a TokenSource.
type TokenFunc func(ctx context.Context) (string, error)

// Token calls f.
func (f TokenFunc) Token(ctx context.Context) (string, error) { return f(ctx) }

// StaticToken is always the same token.
type StaticToken string

// Token returns t.
func (t StaticToken) Token(context.Context) (string, error) { return string(t), nil }

// Tokens is what the token endpoint answers.
type Tokens struct {
	AccessToken string
	// Empty when the grant gives none (client credentials).
	RefreshToken string
	// When the access token expires.
	ExpiresAt time.Time
	// The scopes granted, space-separated.
	Scope string
}

// TokenRequestError is the OAuth 2.0 error the token endpoint answered with.
type TokenRequestError struct {
	// The HTTP status, e.g. 401.
	StatusCode int
	// The OAuth error code, e.g. "invalid_client", "invalid_grant".
	Code        string
	Description string
}

func (e *TokenRequestError) Error() string {
	return fmt.Sprintf("token request failed (%d %s): %s", e.StatusCode, e.Code, e.Description)
}

// Portal is an OAuth client registered with the server (a data portal),
// with what it needs to ask the server's token endpoint for tokens.
type Portal struct {
	// The server's base URL, e.g. "http://127.0.0.1:50051": the token
	// endpoint is its /oauth/token, the sign-in page its /oauth/authorize.
	Server       string
	ClientID     string
	ClientSecret string
	// The HTTP client of the token requests; one with a 30 s timeout when
	// nil.
	HTTPClient *http.Client
}

// TokenOptions tune the token sources of a Portal.
type TokenOptions struct {
	// Scopes to ask for, space-separated; all the client's (or the
	// refresh token's) when empty.
	Scope string
	// Fetch a new access token this long before the current one expires;
	// 0 means 60 s.
	RefreshBefore time.Duration
}

func (o *TokenOptions) refreshBefore() time.Duration {
	if o == nil || o.RefreshBefore == 0 {
		return time.Minute
	}
	return o.RefreshBefore
}

func (o *TokenOptions) scope() string {
	if o == nil {
		return ""
	}
	return o.Scope
}

var defaultHTTPClient = &http.Client{Timeout: 30 * time.Second}

func (p Portal) endpoint(path string) string {
	return strings.TrimRight(p.Server, "/") + path
}

// TokenURL is the server's token endpoint.
func (p Portal) TokenURL() string { return p.endpoint("/oauth/token") }

// RequestTokens posts a grant to the token endpoint, the client
// authenticated with HTTP Basic (RFC 6749 2.3.1). An OAuth error answer is
// a *TokenRequestError.
func (p Portal) RequestTokens(ctx context.Context, form url.Values) (*Tokens, error) {
	request, err := http.NewRequestWithContext(ctx, http.MethodPost, p.TokenURL(), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("token request: %w", err)
	}
	// Each part form-encoded, then Basic.
	request.SetBasicAuth(url.QueryEscape(p.ClientID), url.QueryEscape(p.ClientSecret))
	request.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	request.Header.Set("Accept", "application/json")
	httpClient := p.HTTPClient
	if httpClient == nil {
		httpClient = defaultHTTPClient
	}
	response, err := httpClient.Do(request)
	if err != nil {
		return nil, fmt.Errorf("token request: %w", err)
	}
	defer response.Body.Close()
	var answer struct {
		AccessToken      string   `json:"access_token"`
		RefreshToken     string   `json:"refresh_token"`
		ExpiresIn        *float64 `json:"expires_in"`
		Scope            string   `json:"scope"`
		Error            string   `json:"error"`
		ErrorDescription string   `json:"error_description"`
	}
	body, err := io.ReadAll(io.LimitReader(response.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("token request: %w", err)
	}
	parsed := json.Unmarshal(body, &answer) == nil
	if response.StatusCode != http.StatusOK || !parsed || answer.AccessToken == "" {
		failure := &TokenRequestError{StatusCode: response.StatusCode, Code: answer.Error, Description: answer.ErrorDescription}
		if failure.Code == "" {
			failure.Code = "invalid_response"
		}
		if failure.Description == "" {
			failure.Description = "the token endpoint sent no access_token"
		}
		return nil, failure
	}
	tokens := &Tokens{AccessToken: answer.AccessToken, RefreshToken: answer.RefreshToken, Scope: answer.Scope, ExpiresAt: time.Now()}
	if answer.ExpiresIn != nil {
		tokens.ExpiresAt = tokens.ExpiresAt.Add(time.Duration(*answer.ExpiresIn * float64(time.Second)))
	}
	return tokens, nil
}

// ClientCredentials is the portal's own token (the client credentials
// grant), fetched when first needed and again before it expires; calls made
// while a fetch is under way share it.
func (p Portal) ClientCredentials(options *TokenOptions) TokenSource {
	form := url.Values{"grant_type": {"client_credentials"}}
	if scope := options.scope(); scope != "" {
		form.Set("scope", scope)
	}
	return RenewingToken(func(ctx context.Context) (*Tokens, error) {
		return p.RequestTokens(ctx, form)
	}, options.refreshBefore())
}

// fetchTimeout bounds one fetch of a RenewingToken, which does not belong
// to any one of the calls waiting for it.
const fetchTimeout = 30 * time.Second

// RenewingToken is a TokenSource over fetch: the access token it fetched
// last, until refreshBefore before it expires, then a new one. Calls made
// while a fetch is under way wait for that fetch rather than starting
// their own; a call whose context ends stops waiting, the fetch goes on.
func RenewingToken(fetch func(ctx context.Context) (*Tokens, error), refreshBefore time.Duration) TokenSource {
	return &renewing{fetch: fetch, refreshBefore: refreshBefore}
}

type renewing struct {
	fetch         func(ctx context.Context) (*Tokens, error)
	refreshBefore time.Duration

	mu      sync.Mutex
	current *Tokens
	pending *fetching
}

// fetching is one fetch under way; done closes when token or err is set.
type fetching struct {
	done  chan struct{}
	token string
	err   error
}

func (r *renewing) Token(ctx context.Context) (string, error) {
	r.mu.Lock()
	if r.current != nil && time.Now().Before(r.current.ExpiresAt.Add(-r.refreshBefore)) {
		token := r.current.AccessToken
		r.mu.Unlock()
		return token, nil
	}
	f := r.pending
	if f == nil {
		f = &fetching{done: make(chan struct{})}
		r.pending = f
		go r.run(f)
	}
	r.mu.Unlock()
	select {
	case <-f.done:
		return f.token, f.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (r *renewing) run(f *fetching) {
	ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
	defer cancel()
	tokens, err := r.fetch(ctx)
	if err == nil && tokens == nil {
		err = errors.New("the token fetch returned no tokens")
	}
	r.mu.Lock()
	if err == nil {
		r.current = tokens
		f.token = tokens.AccessToken
	} else {
		f.err = err
	}
	r.pending = nil
	r.mu.Unlock()
	close(f.done)
}

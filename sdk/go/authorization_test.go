package fhirimport_test

// A portal's back end acting for a user: the authorization URL with PKCE,
// the user signing in and allowing (done here as her browser would, form by
// form), the code redeemed, then access tokens from the rotating refresh
// token.

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	fhirimport "github.com/fhir-import/fhir-import/sdk/go"
)

// browser is the user's browser: cookies kept (the server's are Secure,
// which Go's cookiejar keeps from plain http), redirects not followed.
type browser struct {
	cookies map[string]string
	client  *http.Client
}

func newBrowser() *browser {
	return &browser{cookies: map[string]string{}, client: &http.Client{
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (b *browser) send(target string, form url.Values) (*http.Response, string, error) {
	method, body := http.MethodGet, io.Reader(nil)
	if form != nil {
		method, body = http.MethodPost, strings.NewReader(form.Encode())
	}
	request, err := http.NewRequest(method, target, body)
	if err != nil {
		return nil, "", err
	}
	if form != nil {
		request.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	var pairs []string
	for name, value := range b.cookies {
		pairs = append(pairs, name+"="+value)
	}
	request.Header.Set("Cookie", strings.Join(pairs, "; "))
	response, err := b.client.Do(request)
	if err != nil {
		return nil, "", err
	}
	defer response.Body.Close()
	page, err := io.ReadAll(response.Body)
	for _, cookie := range response.Cookies() {
		b.cookies[cookie.Name] = cookie.Value
	}
	return response, string(page), err
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signInAndAllow signs the user in on the authorization page and allows
// the portal; the redirect back to the portal.
func signInAndAllow(t *testing.T, authorizationURL string) *url.URL {
	t.Helper()
	b := newBrowser()
	csrf := func() string {
		_, page, err := b.send(authorizationURL, nil)
		if err != nil {
			t.Fatal(err)
		}
		match := csrfField.FindStringSubmatch(page)
		if match == nil {
			t.Fatalf("no csrf field on the page:\n%s", page)
		}
		return match[1]
	}
	parsed, err := url.Parse(authorizationURL)
	if err != nil {
		t.Fatal(err)
	}
	action := parsed.Scheme + "://" + parsed.Host + parsed.Path
	form := func(fields map[string]string) url.Values {
		values := parsed.Query()
		for k, v := range fields {
			values.Set(k, v)
		}
		return values
	}
	if _, _, err := b.send(action, form(map[string]string{"username": "sdk", "password": password, "csrf": csrf(), "step": "sign_in"})); err != nil {
		t.Fatal(err)
	}
	back, page, err := b.send(action, form(map[string]string{"csrf": csrf(), "step": "allow"}))
	if err != nil {
		t.Fatal(err)
	}
	location, err := back.Location()
	if err != nil {
		t.Fatalf("allowing did not redirect (%s):\n%s", back.Status, page)
	}
	return location
}

func TestAuthorizationCodeWithPKCE(t *testing.T) {
	t.Parallel()
	server := shared(t)
	ctx := testContext(t)
	portal := server.Portal

	request, err := portal.AuthorizationRequest(redirectURI, "projects import:read")
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := url.Parse(request.URL)
	if err != nil {
		t.Fatal(err)
	}
	query := parsed.Query()
	challenge := sha256.Sum256([]byte(request.Verifier))
	if query.Get("code_challenge_method") != "S256" || query.Get("code_challenge") != base64.RawURLEncoding.EncodeToString(challenge[:]) ||
		query.Get("state") != request.State || query.Get("client_id") != portal.ClientID || query.Get("redirect_uri") != redirectURI {
		t.Errorf("the authorization URL: %s", request.URL)
	}
	back := signInAndAllow(t, request.URL)
	if !strings.HasPrefix(back.String(), redirectURI+"?") {
		t.Errorf("sent back to %s", back)
	}
	if _, err := fhirimport.CallbackCode(back.Query(), "another state"); !errors.Is(err, fhirimport.ErrStateMismatch) {
		t.Errorf("a redirect with another state: want ErrStateMismatch, got %v", err)
	}
	code, err := fhirimport.CallbackCode(back.Query(), request.State)
	if err != nil {
		t.Fatal(err)
	}

	// Without the verifier the code is worth nothing (and is spent).
	_, err = portal.ExchangeCode(ctx, code, strings.Repeat("not-the-verifier-", 3), redirectURI)
	var refused *fhirimport.TokenRequestError
	if !errors.As(err, &refused) || refused.Code != "invalid_grant" {
		t.Errorf("a code with the wrong verifier: want invalid_grant, got %v", err)
	}
	request, err = portal.AuthorizationRequest(redirectURI, "projects import:read")
	if err != nil {
		t.Fatal(err)
	}
	code, err = fhirimport.CallbackCode(signInAndAllow(t, request.URL).Query(), request.State)
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := portal.ExchangeCode(ctx, code, request.Verifier, redirectURI)
	if err != nil {
		t.Fatal(err)
	}
	if tokens.Scope != "projects import:read" || tokens.RefreshToken == "" || tokens.AccessToken == "" || !tokens.ExpiresAt.After(time.Now()) {
		t.Errorf("the tokens: %+v", tokens)
	}

	// Access tokens from the refresh token, a new one each second: each
	// refresh rotates the refresh token and hands it to the store.
	var mu sync.Mutex
	var stored []string
	source := portal.RefreshTokenSource(tokens.RefreshToken, func(ctx context.Context, fresh *fhirimport.Tokens) error {
		mu.Lock()
		defer mu.Unlock()
		stored = append(stored, fresh.RefreshToken)
		return nil
	}, &fhirimport.TokenOptions{RefreshBefore: 15*time.Minute - 4*time.Second})
	client := dial(t, server, fhirimport.WithTokenSource(source))
	project, err := client.CreateProject(ctx, "go-for-sdk", "")
	if err != nil {
		t.Fatal(err)
	}
	if project.Owner != "sdk" {
		t.Errorf("the project is %s's, not the user's", project.Owner)
	}
	time.Sleep(4200 * time.Millisecond)
	projects, err := client.ListProjects(ctx).All()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range projects {
		found = found || p.Id == project.Id
	}
	if !found {
		t.Error("the user's new project is not listed")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(stored) != 2 || stored[0] == tokens.RefreshToken || stored[1] == stored[0] {
		t.Errorf("stored refresh tokens %d (want 2, each new): %v", len(stored), stored)
	}
	// The first refresh token was spent: using it again is refused.
	if _, err := portal.RefreshTokens(ctx, tokens.RefreshToken, ""); !errors.As(err, &refused) || refused.Code != "invalid_grant" {
		t.Errorf("a spent refresh token: want invalid_grant, got %v", err)
	}
}

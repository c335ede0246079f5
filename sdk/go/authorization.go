package fhirimport

// The authorization-code flow with PKCE, for a portal's back end acting for
// a user, and a token source that keeps the user's tokens fresh.

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"sync"
)

// AuthorizationRequest is where to send a user's browser to sign in and
// allow the portal, with what the portal keeps (server side, never in the
// browser) until the user comes back.
type AuthorizationRequest struct {
	// Where to send the user's browser.
	URL string
	// The PKCE code verifier; ExchangeCode needs it.
	Verifier string
	// Compare with the state the user comes back with (CallbackCode does).
	State string
}

// AuthorizationRequest is the authorization URL for scope (space-separated,
// e.g. "projects import:write"), with a fresh PKCE verifier (S256) and
// state. The server sends the user back to redirectURI, which must be one
// registered for the portal.
func (p Portal) AuthorizationRequest(redirectURI, scope string) (*AuthorizationRequest, error) {
	verifier, err := randomText(48)
	if err != nil {
		return nil, err
	}
	state, err := randomText(16)
	if err != nil {
		return nil, err
	}
	challenge := sha256.Sum256([]byte(verifier))
	query := url.Values{
		"response_type":         {"code"},
		"client_id":             {p.ClientID},
		"redirect_uri":          {redirectURI},
		"scope":                 {scope},
		"state":                 {state},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(challenge[:])},
		"code_challenge_method": {"S256"},
	}
	return &AuthorizationRequest{
		URL:      p.endpoint("/oauth/authorize") + "?" + query.Encode(),
		Verifier: verifier,
		State:    state,
	}, nil
}

func randomText(bytes int) (string, error) {
	buffer := make([]byte, bytes)
	if _, err := rand.Read(buffer); err != nil {
		return "", fmt.Errorf("fhirimport: no randomness: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(buffer), nil
}

// AuthorizationError is the error the server sent the user back with
// (e.g. access_denied when the user said no).
type AuthorizationError struct {
	Code        string
	Description string
}

func (e *AuthorizationError) Error() string {
	return fmt.Sprintf("authorization failed (%s): %s", e.Code, e.Description)
}

// ErrStateMismatch: the state the user came back with is not the one of the
// request (a forged or stale redirect).
var ErrStateMismatch = errors.New("fhirimport: the redirect's state is not the request's")

// CallbackCode is the authorization code of the redirect the user came back
// with (its query), once its state is checked against the request's: an
// *AuthorizationError when the server sent an error, ErrStateMismatch for
// a state that is not wantState.
func CallbackCode(query url.Values, wantState string) (string, error) {
	if subtle.ConstantTimeCompare([]byte(query.Get("state")), []byte(wantState)) != 1 {
		return "", ErrStateMismatch
	}
	if code := query.Get("error"); code != "" {
		return "", &AuthorizationError{Code: code, Description: query.Get("error_description")}
	}
	code := query.Get("code")
	if code == "" {
		return "", &AuthorizationError{Code: "invalid_response", Description: "the redirect carries no code"}
	}
	return code, nil
}

// ExchangeCode redeems the code the user came back with, with the request's
// verifier and redirect URI: the user's access and refresh tokens.
func (p Portal) ExchangeCode(ctx context.Context, code, verifier, redirectURI string) (*Tokens, error) {
	return p.RequestTokens(ctx, url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"code_verifier": {verifier},
		"redirect_uri":  {redirectURI},
	})
}

// RefreshTokens redeems a refresh token once: new access and refresh tokens
// (the old refresh token is spent).
func (p Portal) RefreshTokens(ctx context.Context, refreshToken, scope string) (*Tokens, error) {
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}}
	if scope != "" {
		form.Set("scope", scope)
	}
	return p.RequestTokens(ctx, form)
}

// RefreshTokenSource acts for a user: access tokens from the refresh token,
// fetched again before they expire. Refresh tokens rotate on every use, and
// a refresh token used twice revokes the whole family, so each new set is
// handed to store as soon as it comes: persist its RefreshToken there. When
// store fails, the call that needed the token fails with its error (the
// source still holds the new refresh token, and stores again next time).
func (p Portal) RefreshTokenSource(refreshToken string, store func(ctx context.Context, tokens *Tokens) error, options *TokenOptions) TokenSource {
	var mu sync.Mutex
	latest := refreshToken
	scope := options.scope()
	return RenewingToken(func(ctx context.Context) (*Tokens, error) {
		mu.Lock()
		defer mu.Unlock()
		tokens, err := p.RefreshTokens(ctx, latest, scope)
		if err != nil {
			return nil, err
		}
		if tokens.RefreshToken != "" {
			latest = tokens.RefreshToken
		}
		if store != nil {
			if err := store(ctx, tokens); err != nil {
				return nil, fmt.Errorf("storing the new refresh token: %w", err)
			}
		}
		return tokens, nil
	}, options.refreshBefore())
}

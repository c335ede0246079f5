"""Token sources: where the bearer token of each call comes from, and the
OAuth 2.0 requests behind them (the server's ``/oauth/token``, over
``urllib.request``).

A token source is any callable returning the current access token; give
one to ``Client(token=...)`` and the client asks it on every call. Those
made here keep the token they got until shortly before it expires:

- ``client_credentials``: the portal's own token (no user);
- ``refresh_token_source``: a user's tokens, kept fresh with the
  rotating refresh token the authorization-code flow
  (``authorization_request``, then ``exchange_code``) gave.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, Mapping, Optional, Union

from .errors import TokenRequestError

TokenSource = Callable[[], Optional[str]]
"""A callable returning the access token to send now (None: send none).
``Client`` calls it before every call, on the calling thread."""

Scope = Union[str, Iterable[str]]
"""Scopes: a space-separated string, or the scopes one by one."""

DEFAULT_REFRESH_BEFORE = 60.0
"""Renew a token this many seconds before it expires, so that it does not
expire in flight."""

REQUEST_TIMEOUT = 30.0
"""Seconds a token request may take."""


@dataclass(frozen=True)
class Tokens:
    """What the token endpoint answered. The tokens are secrets: ``repr``
    leaves them out."""

    access_token: str = field(repr=False)
    """The bearer token for the API."""
    refresh_token: str = field(repr=False)
    """The refresh token, rotated on every use ("" when the grant gives
    none, as client credentials do)."""
    expires_in: float
    """The access token's lifetime in seconds, as answered."""
    expires_at: float
    """When the access token expires, in seconds since the epoch
    (``time.time()``)."""
    scope: str
    """The scopes granted, space-separated."""


@dataclass(frozen=True)
class Portal:
    """A portal (an OAuth 2.0 client of the server) as the token endpoint
    knows it. ``repr`` leaves the secret out."""

    server: str
    """The server's base URL, e.g. ``https://fhir-import.example.org`` or
    ``http://127.0.0.1:50051``."""
    client_id: str
    """The portal's ``client_id``."""
    client_secret: Optional[str] = field(default=None, repr=False)
    """Its ``client_secret`` (sent with HTTP Basic); None for a public
    client (``client_id`` sent in the form)."""


@dataclass(frozen=True)
class AuthorizationRequest:
    """The start of an authorization-code flow: where to send the user's
    browser, and what to keep (server side) for the exchange."""

    url: str
    """The authorization URL to send the user's browser to."""
    verifier: str = field(repr=False)
    """The PKCE verifier: keep it for ``exchange_code``, never in the browser."""
    state: str
    """Compare with the ``state`` the user comes back with."""


def _base_url(server: str) -> str:
    if not server.startswith(("http://", "https://")):
        raise ValueError(f"{server!r}: the server's URL, with http:// or https://")
    return server.rstrip("/")


def _scope_text(scope: Optional[Scope]) -> str:
    if scope is None:
        return ""
    if isinstance(scope, str):
        return scope
    return " ".join(scope)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A token endpoint never redirects, and credentials must not follow a
    redirect elsewhere: a 3xx answer is an error."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects())


def request_tokens(
    token_url: str,
    client_id: str,
    client_secret: Optional[str],
    form: Mapping[str, str],
    *,
    timeout: float = REQUEST_TIMEOUT,
) -> Tokens:
    """Posts a grant (``form``, e.g. ``{"grant_type": "client_credentials"}``)
    to ``token_url``, the client authenticated with HTTP Basic
    (``client_secret_basic``; a public client without a secret sends its
    ``client_id`` in the form). Returns the answer's tokens; raises
    ``TokenRequestError`` when the endpoint refuses (or answers without an
    access token), ``OSError`` (``urllib.error.URLError``) when it cannot be
    reached."""
    body = dict(form)
    headers = {
        "content-type": "application/x-www-form-urlencoded",
        "accept": "application/json",
    }
    if client_secret is None:
        body["client_id"] = client_id
    else:
        # RFC 6749 2.3.1: each part form-encoded, then Basic.
        pair = f"{urllib.parse.quote_plus(client_id)}:{urllib.parse.quote_plus(client_secret)}"
        headers["authorization"] = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
    request = urllib.request.Request(
        token_url,
        data=urllib.parse.urlencode(body).encode(),
        headers=headers,
        method="POST",
    )
    retry_after: Optional[float] = None
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            status = int(response.status)
            raw = response.read()
    except urllib.error.HTTPError as refused:
        status = refused.code
        raw = refused.read()
        try:
            retry_after = float(refused.headers.get("retry-after", ""))
        except ValueError:
            retry_after = None
    try:
        answer: Dict[str, Any] = json.loads(raw.decode("utf-8"))
        if not isinstance(answer, dict):
            answer = {}
    except (UnicodeDecodeError, ValueError):
        answer = {}
    token = answer.get("access_token")
    if status >= 300 or not isinstance(token, str) or not token:
        raise TokenRequestError(
            status,
            str(answer.get("error") or "invalid_response"),
            str(answer.get("error_description") or "the token endpoint sent no access_token"),
            retry_after,
        )
    lifetime = float(answer.get("expires_in") or 300)
    return Tokens(
        access_token=token,
        refresh_token=str(answer.get("refresh_token") or ""),
        expires_in=lifetime,
        expires_at=time.time() + lifetime,
        scope=str(answer.get("scope") or ""),
    )


class RenewingToken:
    """A token source over ``fetch`` (a function returning ``Tokens``): the
    access token it got last, until ``refresh_before`` seconds before it
    expires, then a new one. A lock is held across a fetch, so callers
    arriving meanwhile (from other threads) wait for it and share its
    token instead of fetching again. A failed fetch raises (the client's
    call then fails UNAUTHENTICATED); the next call tries again."""

    def __init__(
        self, fetch: Callable[[], Tokens], refresh_before: float = DEFAULT_REFRESH_BEFORE
    ) -> None:
        """A source fetching with ``fetch`` when it has no fresh token."""
        self._fetch = fetch
        self._refresh_before = refresh_before
        self._lock = threading.Lock()
        self._tokens: Optional[Tokens] = None
        self._renew_at = 0.0

    def __call__(self) -> str:
        """The current access token, fetched first if it is missing or due."""
        with self._lock:
            if self._tokens is not None and time.monotonic() < self._renew_at:
                return self._tokens.access_token
            tokens = self._fetch()
            self._tokens = tokens
            self._renew_at = time.monotonic() + tokens.expires_in - self._refresh_before
            return tokens.access_token

    @property
    def tokens(self) -> Optional[Tokens]:
        """The tokens fetched last, if any."""
        return self._tokens

    def invalidate(self) -> None:
        """Forgets the current token: the next call fetches a new one."""
        with self._lock:
            self._tokens = None

    def __repr__(self) -> str:
        """The source, without its token."""
        return f"<{type(self).__name__} holding a token: {self._tokens is not None}>"


def client_credentials(
    server: str,
    client_id: str,
    client_secret: str,
    scope: Optional[Scope] = None,
    refresh_before: float = DEFAULT_REFRESH_BEFORE,
) -> RenewingToken:
    """The portal's own token (OAuth 2.0 client credentials, for calls made
    for no user), from ``<server>/oauth/token``: fetched when first needed
    and again ``refresh_before`` seconds before it expires; concurrent
    callers share one fetch. ``scope``: the scopes to ask for (all the
    client's by default). A refusal raises ``TokenRequestError``::

        token = client_credentials("https://fhir-import.example.org", CLIENT_ID, SECRET)
        client = Client("fhir-import.example.org:443", token=token, secure=True)
    """
    url = _base_url(server) + "/oauth/token"
    form = {"grant_type": "client_credentials"}
    wanted = _scope_text(scope)
    if wanted:
        form["scope"] = wanted
    return RenewingToken(
        lambda: request_tokens(url, client_id, client_secret, form), refresh_before
    )


def authorization_request(
    server: str, client_id: str, redirect_uri: str, scope: Scope
) -> AuthorizationRequest:
    """The authorization URL (``<server>/oauth/authorize``) for a user to
    sign in and allow the portal ``scope``, with a fresh PKCE verifier
    (S256) and state. Send the browser to ``url``; keep ``verifier`` and
    ``state`` on the server side; when the user comes back to
    ``redirect_uri`` with ``code`` and ``state``, check the state and call
    ``exchange_code``."""
    verifier = secrets.token_urlsafe(48)
    state = secrets.token_urlsafe(16)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": _scope_text(scope),
            "state": state,
            "code_challenge": challenge.decode("ascii").rstrip("="),
            "code_challenge_method": "S256",
        }
    )
    return AuthorizationRequest(
        url=f"{_base_url(server)}/oauth/authorize?{query}", verifier=verifier, state=state
    )


def _token_url(portal: Portal) -> str:
    return _base_url(portal.server) + "/oauth/token"


def exchange_code(portal: Portal, code: str, verifier: str, redirect_uri: str) -> Tokens:
    """Redeems the ``code`` a user came back with, with the verifier of
    its ``authorization_request`` and the same ``redirect_uri``. Returns
    the user's tokens (keep the refresh token for
    ``refresh_token_source``); a used, expired or foreign code, or a wrong
    verifier, raises ``TokenRequestError`` (``invalid_grant``)."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "code_verifier": verifier,
        "redirect_uri": redirect_uri,
    }
    return request_tokens(_token_url(portal), portal.client_id, portal.client_secret, form)


def refresh_tokens(portal: Portal, refresh_token: str) -> Tokens:
    """A new set of tokens for ``refresh_token`` (refresh-token grant). The
    answer rotates the refresh token: the one given is spent."""
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return request_tokens(_token_url(portal), portal.client_id, portal.client_secret, form)


def refresh_token_source(
    portal: Portal,
    refresh_token: str,
    store: Callable[[Tokens], object],
    *,
    refresh_before: float = DEFAULT_REFRESH_BEFORE,
) -> RenewingToken:
    """A token source acting for a user: access tokens from the refresh
    token (fetched when first needed and again ``refresh_before`` seconds
    before they expire). Refresh tokens rotate on every use and a replayed
    one revokes the whole family, so every new set of tokens is handed to
    ``store`` as soon as it arrives: persist its ``refresh_token`` there.
    If ``store`` raises, the call that needed the token fails (the source
    still uses the new refresh token next time)."""
    latest = [refresh_token]

    def fetch() -> Tokens:
        tokens = refresh_tokens(portal, latest[0])
        latest[0] = tokens.refresh_token or latest[0]
        store(tokens)
        return tokens

    return RenewingToken(fetch, refresh_before)

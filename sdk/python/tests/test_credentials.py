"""Token sources against the real server's OAuth 2.0 endpoints: a portal's
own token from its client credentials, renewed before it expires; a user's
tokens through the authorization-code flow with PKCE (her sign-in and
consent driven form by form, as her browser would), then kept fresh with
the rotating refresh token."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any, Dict, Iterator, List, Optional, Set

import grpc
import pytest
from _server import PASSWORD, REDIRECT_URI, USER
from test_client import document

from fhir_import_sdk import (
    Client,
    Portal,
    RenewingToken,
    TokenRequestError,
    Tokens,
    UnauthenticatedError,
    authorization_request,
    client_credentials,
    exchange_code,
    refresh_token_source,
    schemas_pb2,
)

LIFETIME = 15 * 60
"""Seconds the server's access tokens live (``[auth] token_lifetime_secs``)."""


class Counting:
    """A token source counting the distinct tokens ``source`` gave (each
    one a fetch: every token the server issues is new)."""

    def __init__(self, source: RenewingToken) -> None:
        self.source = source
        self.seen: Set[str] = set()

    def __call__(self) -> str:
        token = self.source()
        self.seen.add(token)
        return token

    @property
    def fetched(self) -> int:
        return len(self.seen)


def test_client_credentials_are_fetched_once_and_again_before_they_expire(
    server: str, portal: Portal
) -> None:
    # Renewing 14 m 56 s before the end of a 15-minute token: a new one is
    # due four seconds after each fetch (room for a loaded machine).
    source = Counting(
        client_credentials(
            portal.server,
            portal.client_id,
            portal.client_secret or "",
            refresh_before=LIFETIME - 4,
        )
    )
    with Client(server, token=source) as client:
        # The portal's own token (no user) may list schemas: its owner is
        # a platform admin and it was registered for `admin`. The stub
        # sends the token without being asked.
        client.schema_service.ListSchemas(schemas_pb2.ListSchemasRequest())
        client.schema_service.ListSchemas(schemas_pb2.ListSchemasRequest())
        assert source.fetched == 1, "one token for the calls within its life"
        time.sleep(4.2)
        client.schema_service.ListSchemas(schemas_pb2.ListSchemasRequest())
        assert source.fetched == 2, "a new token once the old one is due"
        tokens = source.source.tokens
        assert tokens is not None and tokens.refresh_token == ""
        assert "admin" in tokens.scope.split()
        assert tokens.access_token not in repr(tokens), "tokens stay out of logs"


def test_concurrent_callers_share_one_fetch() -> None:
    fetches: List[int] = []

    def fetch() -> Tokens:
        fetches.append(1)
        time.sleep(0.2)  # long enough for the others to arrive meanwhile
        return Tokens("the-token", "", 900.0, time.time() + 900, "projects")

    source = RenewingToken(fetch)
    start = threading.Barrier(8)
    got: List[str] = []

    def call() -> None:
        start.wait()
        got.append(source())

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert got == ["the-token"] * 8
    assert len(fetches) == 1


def test_a_wrong_secret_is_a_token_request_error_and_through_a_client_unauthenticated(
    server: str, portal: Portal
) -> None:
    wrong = client_credentials(portal.server, portal.client_id, "not-the-secret")
    with pytest.raises(TokenRequestError) as refused:
        wrong()
    assert refused.value.status == 401
    assert refused.value.error == "invalid_client"
    assert str(refused.value).startswith("token request failed (401 invalid_client)")

    with Client(server, token=wrong) as client:
        # A unary call.
        with pytest.raises(UnauthenticatedError) as unary:
            client.get_project("sdk/anything")
        assert unary.value.code == grpc.StatusCode.UNAUTHENTICATED
        assert "invalid_client" in unary.value.details
        assert isinstance(unary.value.token_error, TokenRequestError)
        assert unary.value.token_error.status == 401

        # A stream of requests: nothing is read, nothing sent.
        read: List[int] = []

        def documents() -> Iterator[dict]:
            for n in range(10):
                read.append(n)
                yield document(n)

        with pytest.raises(UnauthenticatedError) as streamed:
            client.import_documents("sdk/anything", documents())
        assert isinstance(streamed.value.token_error, TokenRequestError)
        assert read == []

        # A stream of responses.
        with pytest.raises(UnauthenticatedError) as watched:
            list(client.watch("01890000-0000-7000-8000-000000000000"))
        assert isinstance(watched.value.token_error, TokenRequestError)

        # The generated stubs see a failed call, as grpc raises them.
        with pytest.raises(grpc.RpcError) as raw:
            client.schema_service.ListSchemas(schemas_pb2.ListSchemasRequest())
        assert raw.value.code() == grpc.StatusCode.UNAUTHENTICATED  # type: ignore[attr-defined]


def test_any_failing_token_source_fails_the_call_unauthenticated_with_its_reason(
    server: str,
) -> None:
    def vault() -> str:
        raise RuntimeError("the vault is sealed")

    with Client(server, token=vault) as client:
        with pytest.raises(UnauthenticatedError) as error:
            list(client.list_projects())
    assert error.value.details == "no access token: the vault is sealed"
    assert isinstance(error.value.token_error, RuntimeError)


class Browser:
    """The user's browser: cookies kept, redirects not followed (the
    portal's redirect URI is not a real site), forms posted."""

    class _Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    def __init__(self) -> None:
        self.cookies: Dict[str, str] = {}
        self.opener = urllib.request.build_opener(self._Stay())

    def send(self, url: str, form: Optional[Dict[str, str]] = None) -> Any:
        headers = {"cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if form is not None:
            headers["content-type"] = "application/x-www-form-urlencoded"
            data = urllib.parse.urlencode(form).encode()
        request = urllib.request.Request(url, data=data, headers=headers)
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as answer:
            response = answer  # a redirect, or an error page
        for cookie in response.headers.get_all("set-cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        return response

    def csrf(self, url: str) -> str:
        page = self.send(url).read().decode()
        found = re.search(r'name="csrf" value="([^"]+)"', page)
        assert found, f"no CSRF token on the page:\n{page[:2000]}"
        return html.unescape(found.group(1))


def sign_in_and_allow(url: str) -> urllib.parse.ParseResult:
    """The user ``sdk`` signs in on the authorization page and allows the
    portal; the URL her browser is sent back to."""
    browser = Browser()
    request = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    action = urllib.parse.urljoin(url, "/oauth/authorize")
    signed_in = {**request, "username": USER, "password": PASSWORD, "step": "sign_in"}
    browser.send(action, {**signed_in, "csrf": browser.csrf(url)})
    back = browser.send(action, {**request, "step": "allow", "csrf": browser.csrf(url)})
    assert back.status in (302, 303), f"no redirect after allowing: {back.status}"
    return urllib.parse.urlparse(back.headers["location"])


def test_authorization_code_with_pkce_then_rotating_refresh_tokens(
    server: str, portal: Portal
) -> None:
    scope = "projects import:read"
    request = authorization_request(portal.server, portal.client_id, REDIRECT_URI, scope)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(request.url).query))
    assert request.url.startswith(f"{portal.server}/oauth/authorize?")
    assert query["code_challenge_method"] == "S256"
    digest = hashlib.sha256(request.verifier.encode()).digest()
    assert query["code_challenge"] == base64.urlsafe_b64encode(digest).decode().rstrip("=")
    assert (query["state"], query["scope"], query["client_id"]) == (
        request.state,
        scope,
        portal.client_id,
    )
    assert request.verifier not in repr(request)

    back = sign_in_and_allow(request.url)
    answer = dict(urllib.parse.parse_qsl(back.query))
    assert f"{back.scheme}://{back.netloc}{back.path}" == REDIRECT_URI
    assert answer["state"] == request.state

    # Without its verifier the code is worth nothing.
    with pytest.raises(TokenRequestError) as refused:
        exchange_code(portal, answer["code"], "not-the-verifier-" * 3, REDIRECT_URI)
    assert refused.value.error == "invalid_grant"

    second = authorization_request(portal.server, portal.client_id, REDIRECT_URI, scope.split())
    code = dict(urllib.parse.parse_qsl(sign_in_and_allow(second.url).query))["code"]
    tokens = exchange_code(portal, code, second.verifier, REDIRECT_URI)
    assert tokens.scope == scope
    assert tokens.refresh_token and tokens.access_token
    assert 0 < tokens.expires_in <= LIFETIME

    # A second later each access token is due, so every call after a
    # pause refreshes, and each refresh rotates the refresh token.
    stored: List[Tokens] = []
    source = refresh_token_source(
        portal, tokens.refresh_token, stored.append, refresh_before=LIFETIME - 4
    )
    name = f"py-for-{uuid.uuid4().hex[:8]}"
    with Client(server, token=source) as client:
        created = client.create_project(name)
        assert created.owner == USER, "the calls act for the user"
        time.sleep(4.2)
        assert name in [p.name for p in client.list_projects()]
    assert len(stored) == 2, "a refresh per due access token, each new set stored"
    assert stored[0].refresh_token != tokens.refresh_token
    assert stored[1].refresh_token != stored[0].refresh_token, "refresh tokens rotate"
    assert all(t.scope == scope for t in stored)

    # The first refresh token is spent: using it again is refused (and
    # revokes its family, the one just stored included).
    with pytest.raises(TokenRequestError) as replayed:
        refresh_token_source(portal, tokens.refresh_token, stored.append)()
    assert replayed.value.error == "invalid_grant"

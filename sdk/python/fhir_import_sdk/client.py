"""The Client: thin, typed helpers over the generated fhir-import stubs, for
the calls a data portal makes (projects, imports, watching, files), on a
channel that adds the token and the platform's header to every call and
retries reads."""

from __future__ import annotations

import os
import time
from typing import (
    Any,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Type,
    TypeVar,
    Union,
    cast,
)

import grpc

from ._channel import PlatformHeaders, RetryPolicy, RetryReads, backoff_pause
from ._documents import (
    DocumentItem,
    Handoff,
    conflict_policy,
    document_input,
    item_state,
    metadata_state,
)
from ._generated.fhir_import.v1 import (
    fhir_servers_pb2,
    fhir_servers_pb2_grpc,
    files_pb2,
    files_pb2_grpc,
    import_pb2,
    import_pb2_grpc,
    projects_pb2,
    projects_pb2_grpc,
    schemas_pb2_grpc,
)
from .credentials import TokenSource
from .errors import FhirImportError, WaitTimeout, error_for, typed_errors
from .results import ImportResult, Rejection, _LineNumbers

DEFAULT_TARGET = "127.0.0.1:50051"
"""Where ``fhir-import serve`` listens unless told otherwise."""

READ_AHEAD = 64
"""Documents converted ahead of the network by ``import_documents``."""

TERMINAL_STATES = frozenset(
    {
        import_pb2.IMPORT_STATE_COMPLETED,
        import_pb2.IMPORT_STATE_COMPLETED_WITH_ERRORS,
        import_pb2.IMPORT_STATE_FAILED,
        import_pb2.IMPORT_STATE_CANCELLED,
    }
)
"""Import states an import never leaves."""

RECONNECT_OPTIONS: Tuple[Tuple[str, int], ...] = (
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 5000),
)
"""Channel options a Client sets unless given others: after a lost
connection grpc tries again after 0.1 s, growing up to 5 s, as reads are
retried (grpc's defaults: 1 s, up to 120 s)."""

Metadata = Union[Mapping[str, str], Iterable[Tuple[str, str]]]
"""gRPC call metadata: a mapping or ``(key, value)`` pairs, keys lowercase."""

_T = TypeVar("_T")


class Client:
    """A connection to a fhir-import server.

    Every method raises a ``FhirImportError`` when the server answers with
    an error status or cannot be reached: the subclass named after the
    status (``NotFoundError``, ``PermissionDeniedError``, …). Reads are sent
    again after UNAVAILABLE (see ``retry``) and ``watch`` resumes after one.
    Use it as a context manager to close the channel at the end::

        with Client("127.0.0.1:50051") as client:
            project = client.create_project("demo")

    The generated stubs are there too, for anything the helpers don't
    cover: ``project_service``, ``import_service``, ``file_service``,
    ``fhir_server_service`` and ``schema_service``. They call through the
    same channel, so they send the token and retry reads as well (they
    raise grpc's own errors: wrap them in ``typed_errors()`` for typed ones).
    """

    def __init__(
        self,
        target: Optional[str] = None,
        *,
        token: Union[str, TokenSource, None] = None,
        metadata: Metadata = (),
        secure: bool = False,
        credentials: Optional[grpc.ChannelCredentials] = None,
        timeout: Optional[float] = None,
        options: Sequence[Tuple[str, Any]] = (),
        retry: Optional[RetryPolicy] = None,
    ) -> None:
        """Opens a channel to ``target`` (``host:port``; an ``http://`` or
        ``https://`` prefix is accepted and picks plaintext or TLS). Without
        one, ``FHIR_IMPORT_SERVER`` from the environment, else
        ``127.0.0.1:50051``.

        - ``token``: an OAuth 2.0 access token, sent on every call as
          ``authorization: Bearer <token>`` with ``x-sbg-advance-access:
          advance``; or a token source, a callable the client asks for the
          token before every call (``client_credentials(...)``,
          ``refresh_token_source(...)`` or one of your own). A token source
          that raises fails the call with ``UnauthenticatedError``, whose
          ``token_error`` is what it raised. The server requires a token on
          every call (unless its operator turned tokens off): a portal gets
          one from the server's OAuth 2.0 token endpoint, see the
          repository's README. Without one, ``FHIR_IMPORT_TOKEN`` from the
          environment.
        - ``metadata``: more metadata sent on every call.
        - ``secure``: TLS with the system's root certificates (or with
          ``credentials``, which implies TLS); plaintext otherwise.
        - ``timeout``: a deadline in seconds for each unary call, retries
          included (streams have their own ``timeout`` arguments).
        - ``options``: gRPC channel options, e.g.
          ``[("grpc.max_receive_message_length", 16 << 20)]``; the client
          adds ``RECONNECT_OPTIONS`` unless they name them.
        - ``retry``: how unary reads (``Get…``, ``List…``, ``Preview…``)
          are sent again after UNAVAILABLE: ``RetryPolicy(retries=3,
          backoff=0.1)`` by default (3 retries, 0.1 s doubling up to 5 s);
          ``RetryPolicy(retries=0)`` turns it off. Calls that change
          something are never sent again: the first attempt may have been
          done.
        """
        target = target or os.environ.get("FHIR_IMPORT_SERVER") or DEFAULT_TARGET
        if token is None:
            token = os.environ.get("FHIR_IMPORT_TOKEN") or None
        if isinstance(token, str):
            token = token.strip() or None
        self._unauthenticated_hint = (
            None
            if token
            else "this client sends no token: pass token=... to Client, or set FHIR_IMPORT_TOKEN"
        )
        if target.startswith("https://"):
            target, secure = target[len("https://") :], True
        elif target.startswith("http://"):
            target = target[len("http://") :]
        target = target.rstrip("/")
        # Reconnecting as often as reads are retried: with grpc's defaults
        # (1 s, growing) a restarted server is not tried again in time.
        given = {name for name, _ in options}
        channel_options = list(options) + [
            (name, value) for name, value in RECONNECT_OPTIONS if name not in given
        ]
        if secure or credentials is not None:
            creds = credentials or grpc.ssl_channel_credentials()
            raw = grpc.secure_channel(target, creds, options=channel_options)
        else:
            raw = grpc.insecure_channel(target, options=channel_options)
        extra = tuple(
            (str(k), str(v))
            for k, v in (metadata.items() if isinstance(metadata, Mapping) else metadata)
        )
        source: Optional[TokenSource] = (lambda: token) if isinstance(token, str) else token
        self.retry = retry if retry is not None else RetryPolicy()
        """How reads are sent again after UNAVAILABLE."""
        self._channel = grpc.intercept_channel(
            raw, RetryReads(self.retry), PlatformHeaders(source, extra)
        )
        pairs = list(extra)
        if isinstance(token, str):
            pairs += [("authorization", f"Bearer {token}"), ("x-sbg-advance-access", "advance")]
        # Sent by the channel on every call anyway; kept for callers who
        # pass it to the stubs, as the SDK once asked them to.
        self._metadata: Tuple[Tuple[str, str], ...] = tuple(pairs)
        self._timeout = timeout
        self.target = target
        """The server's ``host:port``."""
        self.project_service = projects_pb2_grpc.ProjectServiceStub(self._channel)
        """The generated ProjectService stub on this channel."""
        self.import_service = import_pb2_grpc.ImportServiceStub(self._channel)
        """The generated ImportService stub on this channel."""
        self.file_service = files_pb2_grpc.FileServiceStub(self._channel)
        """The generated FileService stub on this channel."""
        self.fhir_server_service = fhir_servers_pb2_grpc.FhirServerServiceStub(self._channel)
        """The generated FhirServerService stub (admin scope) on this channel."""
        self.schema_service = schemas_pb2_grpc.SchemaServiceStub(self._channel)
        """The generated SchemaService stub (admin scope) on this channel:
        the metadata schemas FHIR servers are scraped with."""

    @property
    def metadata(self) -> Tuple[Tuple[str, str], ...]:
        """The metadata given to the client, with the authorization and
        advance-access headers when the token is a fixed string. The
        channel adds all of it to every call, stubs included; passing it
        to a stub (``metadata=client.metadata``) is harmless."""
        return self._metadata

    def close(self) -> None:
        """Closes the channel; calls in flight are cancelled."""
        self._channel.close()

    def __enter__(self) -> "Client":
        """The client itself."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Closes the channel."""
        self.close()

    # Projects

    def create_project(self, name: str, description: str = "") -> projects_pb2.Project:
        """Creates a project owned by the caller (ALREADY_EXISTS if the caller
        has one with that name)."""
        request = projects_pb2.CreateProjectRequest(name=name, description=description)
        return self._unary(self.project_service.CreateProject, request, projects_pb2.Project)

    def get_project(self, ref: str) -> projects_pb2.Project:
        """A project by id or ``owner/name`` slug (NOT_FOUND if unseen)."""
        request = projects_pb2.GetProjectRequest(project=ref)
        return self._unary(self.project_service.GetProject, request, projects_pb2.Project)

    def list_projects(self, *, page_size: int = 0) -> Iterator[projects_pb2.Project]:
        """Every project the caller can see, by name, fetching pages as needed."""
        request = projects_pb2.ListProjectsRequest(page_size=page_size)
        return self._pages(self.project_service.ListProjects, request, lambda r: r.projects)

    # Imports

    def import_documents(
        self,
        project: str,
        documents: Iterable[DocumentItem],
        *,
        fhir_server: str = "",
        on_conflict: Union[str, int] = "overwrite",
        idempotency_key: str = "",
        tags: Sequence[str] = (),
        validate_only: bool = False,
        metadata: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
        on_progress: Optional[Callable[[int], object]] = None,
    ) -> ImportResult:
        """Streams ``documents`` into ``project`` in one ImportDocuments call
        and returns the server's response as an ImportResult.

        ``documents`` is any iterable, a generator included; it is read
        lazily, a few dozen documents ahead of the network, on the calling
        thread, so memory stays flat however many there are. Each item is a
        DocumentReference as a dict (sent as JSON), as JSON text (sent as-is),
        or a ``(document, metadata)`` pair giving that document its own
        metadata. ``metadata`` goes on every document; a document's own keys
        win.

        ``on_conflict`` is ``"overwrite"`` (default), ``"skip"`` or
        ``"rename"`` (or a ConflictPolicy value). The other keywords fill the
        ImportHeader (see ``proto/fhir_import/v1/import.proto``).

        Invalid documents do not fail the call: they are counted in
        ``rejected`` and listed in ``rejections`` as Rejection objects, with
        their index and their code by name (``print(rejection)`` gives ``#5
        doc-5 INVALID_RESOURCE: status: required``). A failed call raises
        FhirImportError (NOT_FOUND for an unknown project, ...). A bad
        ``on_conflict`` raises ValueError, an item of another type TypeError.

        ``on_progress(sent)`` is told, on the calling thread, how many
        documents the stream has taken so far, after each one (1, 2, 3,
        …): the stream takes them as the network and the server do, so it
        follows the server, not the reading of ``documents``. If it
        raises, the stream is reset as below.

        If reading ``documents`` raises, the stream is reset rather than
        ended (the server keeps what it accepted and ends the import
        COMPLETED_WITH_ERRORS) and that exception is re-raised.
        """
        if isinstance(tags, str):
            raise TypeError("tags: a sequence of strings, not one str")
        header = import_pb2.ImportHeader(
            project=project,
            fhir_server=fhir_server,
            on_conflict=conflict_policy(on_conflict),
            idempotency_key=idempotency_key,
            validate_only=validate_only,
            tags=list(tags),
        )
        shared = dict(metadata or {})
        handoff = Handoff(READ_AHEAD)
        call = self.import_service.ImportDocuments.future(iter(handoff), timeout=timeout)
        call.add_done_callback(handoff.call_done)
        reported = 0

        def report() -> None:
            # Each document the stream took, told once, in order; the
            # header is the first message taken and no document.
            nonlocal reported
            if on_progress is not None:
                while reported < handoff.taken - 1:
                    reported += 1
                    on_progress(reported)

        try:
            if handoff.put(import_pb2.ImportDocumentsRequest(header=header)):
                for index, item in enumerate(documents):
                    request = import_pb2.ImportDocumentsRequest(
                        document=document_input(item, index, shared)
                    )
                    # False: the server answered early (an error about the
                    # header or the project); its status says why.
                    if not handoff.put(request):
                        break
                    report()
                else:
                    handoff.finish()
                    if on_progress is not None:
                        over = False
                        while not over:
                            _, over = handoff.wait_taken(reported + 1)
                            report()
            with typed_errors(self._unauthenticated_hint):
                response = cast(import_pb2.ImportDocumentsResponse, call.result())
            return ImportResult(response)
        except BaseException:
            # Cancelling (not finishing) the stream tells the server it was
            # cut; a no-op once the call is over.
            call.cancel()
            raise

    def import_ndjson(
        self, project: str, path: Union[str, "os.PathLike[str]"], **kwargs: Any
    ) -> ImportResult:
        """Imports an NDJSON file (one DocumentReference per line), reading it
        line by line. Blank lines are skipped, so a rejection's index counts
        documents, not lines: its ``line`` is the 1-based line of the file
        (``print(rejection)`` gives ``line 6: #5 kf-gf-5s0yq7ga
        INVALID_RESOURCE: status: required``, as the CLI prints it). Bytes
        that are not UTF-8 become U+FFFD, as with the CLI. Takes
        ``import_documents``' keywords."""
        numbers = _LineNumbers()
        with open(path, encoding="utf-8", errors="replace") as lines:

            def documents() -> Iterator[str]:
                for number, line in enumerate(lines, 1):
                    if line.strip():
                        numbers.add(number)
                        yield line.rstrip("\r\n")

            sent = self.import_documents(project, documents(), **kwargs)
        rejections = [
            Rejection.from_proto(r, line=numbers.line(r.index)) for r in sent.response.rejections
        ]
        return ImportResult(sent.response, rejections)

    def rescrape_files(
        self,
        project: str,
        *,
        file_ids: Sequence[str] = (),
        import_id: str = "",
        all_files: bool = False,
        metadata_states: Sequence[Union[str, int]] = (),
    ) -> import_pb2.RescrapeFilesResponse:
        """Scrapes the metadata of files already in ``project`` again from the
        FHIR servers they came from, e.g. after an outage or a schema change.
        Name exactly one of ``file_ids``, ``import_id`` (that import's files)
        or ``all_files``; ``metadata_states`` (``"failed"``, ``"partial"``,
        ``"complete"`` or MetadataState values) keeps only files in those
        states. Returns the imports started (kind RESCRAPE, one per FHIR
        server), which ``watch`` and ``wait`` follow."""
        if isinstance(file_ids, str):
            raise TypeError("file_ids: a sequence of ids, not one str")
        chosen = [bool(file_ids), bool(import_id), all_files]
        if sum(chosen) != 1:
            raise ValueError("name exactly one of file_ids, import_id or all_files")
        request = import_pb2.RescrapeFilesRequest(
            project=project, metadata_states=[metadata_state(s) for s in metadata_states]
        )
        if file_ids:
            request.file_ids.ids.extend(file_ids)
        elif import_id:
            request.import_id = import_id
        else:
            request.all_files = True
        return self._unary(
            self.import_service.RescrapeFiles, request, import_pb2.RescrapeFilesResponse
        )

    def get_import(self, import_id: str) -> import_pb2.Import:
        """One import, as it stands now."""
        request = import_pb2.GetImportRequest(import_id=import_id)
        return self._unary(self.import_service.GetImport, request, import_pb2.Import)

    def list_imports(self, project: str, *, page_size: int = 0) -> Iterator[import_pb2.Import]:
        """A project's imports, newest first, fetching pages as needed."""
        request = import_pb2.ListImportsRequest(project=project, page_size=page_size)
        return self._pages(self.import_service.ListImports, request, lambda r: r.imports)

    def list_import_items(
        self, import_id: str, *, states: Iterable[Union[str, int]] = (), page_size: int = 0
    ) -> Iterator[import_pb2.ImportItem]:
        """An import's items in stream order, optionally only those in
        ``states`` (e.g. ``["rejected"]``), fetching pages as needed."""
        request = import_pb2.ListImportItemsRequest(
            import_id=import_id,
            states=[item_state(s) for s in states],
            page_size=page_size,
        )
        return self._pages(self.import_service.ListImportItems, request, lambda r: r.items)

    def cancel_import(self, import_id: str) -> import_pb2.Import:
        """Cancels an import; items not yet processed are cancelled."""
        request = import_pb2.CancelImportRequest(import_id=import_id)
        return self._unary(self.import_service.CancelImport, request, import_pb2.Import)

    def watch(
        self,
        import_id: str,
        after_sequence: int = 0,
        *,
        timeout: Optional[float] = None,
        max_reconnects: int = 10,
        backoff: float = 0.1,
        on_reconnect: Optional[Callable[[FhirImportError, int], object]] = None,
    ) -> Iterator[import_pb2.ImportEvent]:
        """Follows an import: a snapshot event first (``event.snapshot``),
        then one event per change with strictly increasing ``sequence``,
        until the import ends. Pass the last sequence seen as
        ``after_sequence`` to resume without missing anything. Closing the
        generator early cancels the stream.

        When the stream breaks with UNAVAILABLE (a server draining or
        restarting, a dropped connection) it connects again and resumes
        after the last sequence it yielded, skipping the new connection's
        snapshot, so nothing is missed or repeated: at most
        ``max_reconnects`` times in a row (an event resets the count),
        pausing ``backoff`` seconds before the first, doubled each time up
        to 5 s. ``on_reconnect(error, attempt)`` is told of each (the
        ``UnavailableError`` that broke the stream, 1, 2, …). Any other
        error, or one more UNAVAILABLE, is raised as its
        ``FhirImportError``. ``timeout`` bounds the whole watch,
        reconnections included (``DeadlineExceededError`` after it).
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        after = after_sequence
        had_snapshot = False
        failures = 0
        while True:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise error_for(
                    grpc.StatusCode.DEADLINE_EXCEEDED,
                    f"watching import {import_id}: the deadline passed while reconnecting",
                )
            request = import_pb2.WatchImportRequest(import_id=import_id, after_sequence=after)
            call = self.import_service.WatchImport(request, timeout=left)
            try:
                try:
                    for event in call:
                        failures = 0
                        if event.WhichOneof("kind") == "snapshot":
                            # Each connection starts with one; after a
                            # reconnect the caller has had it.
                            if not had_snapshot:
                                had_snapshot = True
                                yield event
                        elif event.sequence > after:
                            after = event.sequence
                            yield event
                    return
                except grpc.RpcError as rpc_error:
                    error = self._typed(rpc_error)
                    if error.code != grpc.StatusCode.UNAVAILABLE or failures >= max_reconnects:
                        raise error from rpc_error
            finally:
                call.cancel()
            pause = backoff_pause(backoff, failures)
            failures += 1
            if on_reconnect is not None:
                on_reconnect(error, failures)
            if deadline is not None:
                pause = max(0.0, min(pause, deadline - time.monotonic()))
            time.sleep(pause)

    def wait(
        self, import_id: str, *, timeout: Optional[float] = None, **watch: Any
    ) -> import_pb2.Import:
        """Blocks until the import is in a terminal state (COMPLETED,
        COMPLETED_WITH_ERRORS, FAILED or CANCELLED) and returns it. It
        follows the import with ``watch``, so it rides out a server
        restart; ``watch``'s ``max_reconnects``, ``backoff`` and
        ``on_reconnect`` may be given. Raises ``WaitTimeout`` (a
        ``TimeoutError``, and a ``DeadlineExceededError``) after
        ``timeout`` seconds."""
        started = time.monotonic()
        current = self.get_import(import_id)
        if current.state in TERMINAL_STATES:
            return current
        left = None if timeout is None else max(0.0, timeout - (time.monotonic() - started))
        try:
            for _ in self.watch(import_id, current.last_sequence, timeout=left, **watch):
                pass
        except FhirImportError as error:
            if error.code == grpc.StatusCode.DEADLINE_EXCEEDED:
                raise WaitTimeout(import_id, timeout or 0.0) from error
            raise
        return self.get_import(import_id)

    # Files

    def get_file(self, file_id: str) -> files_pb2.File:
        """One file, with the DocumentReference it came from
        (``document_reference_json``)."""
        request = files_pb2.GetFileRequest(id=file_id)
        return self._unary(self.file_service.GetFile, request, files_pb2.File)

    def list_files(
        self,
        project: str,
        where: Optional[Mapping[str, str]] = None,
        *,
        import_id: str = "",
        page_size: int = 0,
    ) -> Iterator[files_pb2.File]:
        """A project's files, oldest first, fetching pages as needed. ``where``
        keeps only files whose metadata has every key with exactly that value;
        ``import_id`` only those created or last overwritten by that import."""
        request = files_pb2.ListFilesRequest(
            project=project,
            filters=[files_pb2.MetadataFilter(key=k, value=v) for k, v in (where or {}).items()],
            import_id=import_id,
            page_size=page_size,
        )
        return self._pages(self.file_service.ListFiles, request, lambda r: r.files)

    # Plumbing

    def _typed(self, rpc_error: grpc.RpcError) -> FhirImportError:
        """The typed error for a failed call, with the hint about tokens."""
        error = FhirImportError.from_rpc_error(rpc_error)
        if self._unauthenticated_hint and error.code == grpc.StatusCode.UNAUTHENTICATED:
            error.details = f"{error.details} ({self._unauthenticated_hint})"
        return error

    def _unary(self, method: Callable[..., Any], request: object, response: Type[_T]) -> _T:
        with typed_errors(self._unauthenticated_hint):
            return cast(_T, method(request, timeout=self._timeout))

    def _pages(
        self, method: Callable[..., Any], request: Any, items: Callable[[Any], Iterable[_T]]
    ) -> Iterator[_T]:
        while True:
            page: Any = self._unary(method, request, object)
            yield from items(page)
            if not page.next_page_token:
                return
            request.page_token = page.next_page_token

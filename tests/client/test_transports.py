"""Both REST transports on the wire, against a small HTTP/1.1 server on loopback: TLS is verified, connections
are kept alive and reused (but never one the server closed or asked to close), chunked answers are read, and
the size cap and the read timeout hold. Each test runs the blocking and the asyncio transport alike."""

from __future__ import annotations

import asyncio
import datetime
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from pykis.drivers.transport import TransportOptions
from pykis.drivers.transport_asyncio import AsyncTransport
from pykis.drivers.transport_blocking import SyncTransport
from pykis.errors import KisError, KisResponseRefusedError, KisTimeoutError, KisTransportError
from pykis.protocol.http import HttpRequest, HttpResponse

KINDS = ["blocking", "asyncio"]


@dataclass
class Seen:
    """What the server saw: connections accepted and the requests' paths, headers and bodies."""

    connections: int = 0
    dropped: threading.Event = field(default_factory=threading.Event)
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: ClassVar[Seen]

    def setup(self) -> None:
        super().setup()
        self.seen.connections += 1

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.answer()

    def do_POST(self) -> None:
        self.answer()

    def answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length)
        self.seen.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        if self.path.startswith("/slow"):
            time.sleep(1.0)
        if self.path.startswith("/chunked"):
            size = int(self.path.split("?")[0].rsplit("/", 1)[1])
            self.send_response(200)
            self.send_header("transfer-encoding", "chunked")
            self.end_headers()
            for _ in range(size // 1000):
                self.wfile.write(b"3e8\r\n" + b"x" * 1000 + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        payload = b'{"ok":true,"echo":' + (body or b"null") + b"}"
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        if self.path.startswith("/gzip"):  # labelled gzip though the client asked for identity
            self.send_header("content-encoding", "gzip")
        if self.path.startswith("/close"):
            self.send_header("connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(payload)
        if self.path.startswith("/drop"):  # kept alive as far as the client knows, then closed while idle
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            self.seen.dropped.set()


def self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    start = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=365 * 200))
        .sign(key, hashes.SHA256())
    )
    cert, private = folder / "cert.pem", folder / "key.pem"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert, private


@dataclass
class Server:
    url: str
    seen: Seen
    httpd: ThreadingHTTPServer


def serve(folder: Path | None) -> Iterator[Server]:
    seen = Seen()
    handler = type("Bound", (Handler,), {"seen": seen})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    scheme = "http"
    if folder is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*self_signed(folder))
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
        scheme = "https"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(f"{scheme}://127.0.0.1:{httpd.server_address[1]}", seen, httpd)
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def plain() -> Iterator[Server]:
    yield from serve(None)


@pytest.fixture
def tls(tmp_path: Path) -> Iterator[Server]:
    yield from serve(tmp_path)


def exchange(
    kind: str,
    url: str,
    requests: list[HttpRequest],
    options: TransportOptions | None = None,
    between: Callable[[], object] = lambda: None,
) -> list[HttpResponse | KisError]:
    """Send ``requests`` one after the other through one transport of ``kind``; answers or the typed errors."""
    options = options or TransportOptions(timeout=5.0)
    out: list[HttpResponse | KisError] = []
    if kind == "blocking":
        sync = SyncTransport(url, options)
        for request in requests:
            try:
                out.append(sync.send(request))
            except KisError as exc:
                out.append(exc)
            between()
        sync.close()
        return out

    async def run() -> None:
        transport = AsyncTransport(url, options)
        try:
            for request in requests:
                try:
                    out.append(await transport.send(request))
                except KisError as exc:
                    out.append(exc)
                between()
        finally:
            await transport.close()

    asyncio.run(run())
    return out


def get(path: str) -> HttpRequest:
    return HttpRequest("GET", path, {"tr_id": "X"}, {"a": "1 2"}, None, "X")


@pytest.mark.parametrize("kind", KINDS)
def test_tls_is_verified_and_an_unverified_certificate_is_a_typed_error(kind: str, tls: Server) -> None:
    (refused,) = exchange(kind, tls.url, [get("/q")])
    assert isinstance(refused, KisTransportError) and "could not connect" in str(refused)
    assert "CERTIFICATE_VERIFY_FAILED" in str(refused)
    assert tls.seen.requests == []
    (answer,) = exchange(kind, tls.url, [get("/q")], TransportOptions(verify=False))
    assert isinstance(answer, HttpResponse) and answer.status == 200
    assert tls.seen.requests[0][0] == "/q?a=1+2"


@pytest.mark.parametrize("kind", KINDS)
def test_connections_are_kept_alive_and_reused(kind: str, plain: Server) -> None:
    answers = exchange(kind, plain.url, [get(f"/q{n}") for n in range(3)])
    assert [a.status for a in answers if isinstance(a, HttpResponse)] == [200, 200, 200]
    assert plain.seen.connections == 1
    _, headers, _ = plain.seen.requests[0]
    assert headers["host"] == plain.url.removeprefix("http://")
    assert headers["tr_id"] == "X" and headers["user-agent"].startswith("pykis/")


@pytest.mark.parametrize("kind", KINDS)
def test_a_connection_the_server_asked_to_close_is_not_reused(kind: str, plain: Server) -> None:
    answers = exchange(kind, plain.url, [get("/close"), get("/q"), get("/q")])
    assert all(isinstance(a, HttpResponse) and a.status == 200 for a in answers)
    assert plain.seen.connections == 2


@pytest.mark.parametrize("kind", KINDS)
def test_an_idle_connection_the_server_closed_is_not_reused(kind: str, plain: Server) -> None:
    answers = exchange(kind, plain.url, [get("/drop"), get("/q")], between=lambda: plain.seen.dropped.wait(5))
    assert all(isinstance(a, HttpResponse) and a.status == 200 for a in answers)
    assert plain.seen.connections == 2


@pytest.mark.parametrize("kind", KINDS)
def test_a_json_body_is_sent_with_its_length(kind: str, plain: Server) -> None:
    request = HttpRequest("POST", "/order", {"tr_id": "X"}, {}, {"PDNO": "005930", "name": "삼성"}, "X")
    (answer,) = exchange(kind, plain.url, [request])
    assert isinstance(answer, HttpResponse)
    _, headers, body = plain.seen.requests[0]
    assert body == '{"PDNO":"005930","name":"삼성"}'.encode()
    assert headers["content-length"] == str(len(body)) and headers["content-type"] == "application/json"
    assert answer.body == b'{"ok":true,"echo":' + body + b"}"


@pytest.mark.parametrize("kind", KINDS)
def test_chunked_answers_are_read_and_capped(kind: str, plain: Server) -> None:
    options = TransportOptions(timeout=5.0, max_response_bytes=50_000)
    read, refused, after = exchange(kind, plain.url, [get("/chunked/20000"), get("/chunked/80000"), get("/q")], options)
    assert isinstance(read, HttpResponse) and read.body == b"x" * 20000
    assert isinstance(refused, KisTransportError) and "answered more than 50,000 bytes; refused" in str(refused)
    assert isinstance(after, HttpResponse) and after.status == 200  # a fresh connection: the capped one was closed
    assert plain.seen.connections == 2


@pytest.mark.parametrize("kind", KINDS)
def test_an_encoded_answer_is_refused_unread(kind: str, plain: Server) -> None:
    refused, after = exchange(kind, plain.url, [get("/gzip"), get("/q")])
    assert isinstance(refused, KisResponseRefusedError) and "gzip-encoded, unasked; refused" in str(refused)
    assert isinstance(after, HttpResponse) and after.status == 200
    assert plain.seen.connections == 2  # the refused answer's connection was closed, not reused
    assert all(headers["accept-encoding"] == "identity" for _, headers, _ in plain.seen.requests)


@pytest.mark.parametrize("kind", KINDS)
def test_the_watch_hears_each_chunk_with_the_announced_length(kind: str, plain: Server) -> None:
    heard: list[tuple[int, int | None]] = []

    def watch(size: int, total: int | None) -> None:
        heard.append((size, total))

    async def asyncio_send(request: HttpRequest) -> HttpResponse:
        transport = AsyncTransport(plain.url, TransportOptions(timeout=5.0))
        try:
            return await transport.send(request, watch)
        finally:
            await transport.close()

    for request in (get("/chunked/5000"), get("/q")):
        if kind == "blocking":
            sync = SyncTransport(plain.url, TransportOptions(timeout=5.0))
            answer = sync.send(request, watch)
            sync.close()
        else:
            answer = asyncio.run(asyncio_send(request))
        assert heard[-1][0] == len(answer.body)
    chunked = [entry for entry in heard if entry[1] is None]
    assert [size for size, _ in chunked] == sorted({size for size, _ in chunked}) and chunked[-1][0] == 5000
    assert heard[-1] == (len(b'{"ok":true,"echo":null}'), len(b'{"ok":true,"echo":null}'))


@pytest.mark.parametrize("kind", KINDS)
def test_a_slow_answer_is_a_timeout_and_the_connection_is_dropped(kind: str, plain: Server) -> None:
    slow, after = exchange(kind, plain.url, [get("/slow"), get("/q")], TransportOptions(timeout=0.2))
    assert isinstance(slow, KisTimeoutError) and "/slow" in str(slow)
    assert isinstance(after, HttpResponse) and after.status == 200
    assert plain.seen.connections == 2


@pytest.mark.parametrize("kind", KINDS)
def test_nothing_listening_is_a_typed_error_naming_the_url(kind: str, plain: Server) -> None:
    url = plain.url
    plain.httpd.shutdown()
    plain.httpd.server_close()
    (refused,) = exchange(kind, url, [get("/q")])
    assert isinstance(refused, KisTransportError) and f"GET {url}/q" in str(refused)
    assert "is the sandbox running?" in str(refused)

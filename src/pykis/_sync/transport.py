"""The blocking REST transport: the standard library's HTTP/1.1 client under a small keep-alive pool.

A short script's first quote pays for every module it imports (issue 15): httpx with httpcore and h11 cost
~35 ms more than ``http.client``, which the blocking client needs nothing beyond here — one host, HTTP/1.1,
no proxies (the environment is not read), no redirects followed, TLS verified with the default context. The
same size cap, timeouts and typed errors as the asyncio transport (httpx); the fault suites run both.
"""

from __future__ import annotations

import http.client
import json
import logging
import select
import threading
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

from pykis._transport import TransportOptions, connection_failure, exchange_failure, too_large
from pykis.protocol.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    import ssl

__all__ = ["SyncTransport"]

log = logging.getLogger("pykis")

_CHUNK = 1 << 16
_USER_AGENT = "pykis/0.1"


def _reusable(connection: http.client.HTTPConnection) -> bool:
    """An idle kept-alive connection the server has not closed (a readable idle socket means EOF or junk)."""
    sock = connection.sock
    if sock is None:
        return False
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable


class SyncTransport:
    """Keep-alive connections to one REST base URL, shared by the client's threads."""

    def __init__(self, base_url: str, options: TransportOptions) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"a REST base URL is http(s)://host[:port], got {base_url!r}")
        self.base_url = base_url
        self._options = options
        self._host = parts.hostname
        self._port = parts.port
        self._prefix = parts.path.rstrip("/")
        self._context: ssl.SSLContext | None = self._tls(options.verify) if parts.scheme == "https" else None
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self._closed = False

    @staticmethod
    def _tls(verify: bool) -> ssl.SSLContext:
        import ssl

        context = ssl.create_default_context()
        if not verify:  # the client warns once per process about verify=False
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def __repr__(self) -> str:
        return f"SyncTransport({self.base_url!r})"

    def _open(self) -> http.client.HTTPConnection:
        with self._lock:
            while self._idle:
                idle = self._idle.pop()
                if _reusable(idle):
                    return idle
                idle.close()
        timeout = self._options.connect_timeout
        connection: http.client.HTTPConnection
        if self._context is not None:
            connection = http.client.HTTPSConnection(self._host, self._port, timeout=timeout, context=self._context)
        else:
            connection = http.client.HTTPConnection(self._host, self._port, timeout=timeout)
        connection.connect()
        assert connection.sock is not None
        connection.sock.settimeout(self._options.timeout)
        return connection

    def _keep(self, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            if not self._closed and len(self._idle) < self._options.max_connections:
                self._idle.append(connection)
                return
        connection.close()

    def send(self, request: HttpRequest) -> HttpResponse:
        """Send and read the whole answer; transport failures become :class:`KisTransportError`."""
        target = self._prefix + request.path
        if request.params:
            target += "?" + urlencode(request.params)
        headers = {"user-agent": _USER_AGENT, "accept": "*/*", **request.headers}
        body: bytes | None = None
        if request.json is not None:
            body = json.dumps(dict(request.json), ensure_ascii=False, separators=(",", ":")).encode()
            headers["content-type"] = "application/json"
        try:
            connection = self._open()
        except OSError as exc:
            raise connection_failure(exc, request, self.base_url) from None
        limit = self._options.max_response_bytes
        try:
            connection.request(request.method, target, body=body, headers=headers)
            response = connection.getresponse()
            declared = response.getheader("content-length")
            if declared is not None and declared.strip().isdigit() and int(declared) > limit:
                raise too_large(request, limit)
            chunks: list[bytes] = []
            size = 0
            while chunk := response.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise too_large(request, limit)
                chunks.append(chunk)
        except BaseException as exc:
            connection.close()  # half-read or broken: never reused
            if isinstance(exc, http.client.HTTPException | OSError):
                raise exchange_failure(exc, request, self.base_url) from None
            raise
        if response.will_close:
            connection.close()
        else:
            self._keep(connection)
        log.debug("%s %s tr_id=%s -> %d", request.method, request.path, request.tr_id, response.status)
        answer_headers = {name.lower(): value for name, value in response.getheaders()}
        return HttpResponse(response.status, answer_headers, b"".join(chunks))

    def close(self) -> None:
        """Close the kept connections."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

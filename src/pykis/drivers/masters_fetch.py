"""Downloading a master archive (blocking and asyncio) with the REST transports: read under a size cap,
reported to :mod:`pykis.progress`, unzipped. A host that cannot be reached or answers badly is logged and
answered ``None`` (resolution then falls back to the product inquiries); an answer past the cap, or encoded
although identity was asked for, is refused with a :class:`~pykis.errors.KisTransportError`."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from pykis import progress
from pykis._log import lazy_logger
from pykis.drivers.transport import TransportOptions
from pykis.errors import KisResponseRefusedError, KisTransportError
from pykis.exchanges.masters import MAX_MASTER_BYTES, unzip
from pykis.protocol.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from pykis._client_core import FetchMaster

__all__ = ["fetch_master", "fetch_master_async"]

log = lazy_logger()


class _Download:
    """One master download: where from, its options, and its progress as the transport reads it."""

    def __init__(self, action: FetchMaster, timeout: float, verify: bool) -> None:
        parts = urlsplit(action.url)
        self.action = action
        self.base_url = f"{parts.scheme}://{parts.netloc}"
        self.request = HttpRequest("GET", parts.path, {})
        self.options = TransportOptions(
            timeout=timeout, verify=verify, max_connections=1, max_response_bytes=MAX_MASTER_BYTES
        )
        self._task = f"master {action.name}"
        self.watch = self._report if progress.active() else None

    def _report(self, size: int, total: int | None) -> None:
        progress.report(self._task, size, total, "bytes")

    def content(self, answer: HttpResponse | KisTransportError) -> bytes | None:
        """The unzipped master file, or ``None`` (logged) when the download failed."""
        if isinstance(answer, KisResponseRefusedError):
            raise KisResponseRefusedError(f"the master file {self.action.name}: {answer}") from None
        if isinstance(answer, KisTransportError):
            return self._failed(answer)
        if self.watch is not None:
            progress.report(self._task, len(answer.body), len(answer.body), "bytes", finished=True)
        if answer.status != 200:
            return self._failed(f"HTTP {answer.status}")
        try:
            return unzip(answer.body)
        except ValueError as exc:
            return self._failed(exc)

    def _failed(self, reason: object) -> bytes | None:
        """Nothing, logged: the caller falls back to the product inquiries."""
        log.warning(
            "Cannot download the master file %s from %s (%s); falling back to product inquiries",
            self.action.name,
            self.action.url,
            reason,
        )
        return None


def fetch_master(action: FetchMaster, timeout: float, verify: bool) -> bytes | None:
    """The content of the master archive ``action`` names, downloaded with the blocking transport."""
    from pykis.drivers.transport_blocking import SyncTransport  # noqa: PLC0415 — the asyncio client never loads it

    download = _Download(action, timeout, verify)
    transport = SyncTransport(download.base_url, download.options)
    answer: HttpResponse | KisTransportError
    try:
        answer = transport.send(download.request, download.watch)
    except KisTransportError as exc:
        answer = exc
    finally:
        transport.close()
    return download.content(answer)


async def fetch_master_async(action: FetchMaster, timeout: float, verify: bool) -> bytes | None:
    """:func:`fetch_master` on the event loop, with the asyncio transport."""
    from pykis.drivers.transport_asyncio import AsyncTransport  # noqa: PLC0415 — the blocking client never loads it

    download = _Download(action, timeout, verify)
    transport = AsyncTransport(download.base_url, download.options)
    answer: HttpResponse | KisTransportError
    try:
        answer = await transport.send(download.request, download.watch)
    except KisTransportError as exc:
        answer = exc
    finally:
        await transport.close()
    return download.content(answer)

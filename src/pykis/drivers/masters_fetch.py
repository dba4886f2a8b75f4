"""Downloading a master archive (blocking and asyncio): streamed under a size cap, reported to
:mod:`pykis.progress`, unzipped; a failure is logged and answered ``None`` (resolution then falls back to the
product inquiries)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from pykis import progress
from pykis._log import lazy_logger
from pykis.errors import KisTransportError
from pykis.exchanges.masters import MAX_MASTER_BYTES, unzip

if TYPE_CHECKING:
    from pykis._client_core import FetchMaster

__all__ = ["fetch_master", "fetch_master_async"]

log = lazy_logger()


class _Received:
    """The body of a master-file download, gathered chunk by chunk and reported to :mod:`pykis.progress`."""

    def __init__(self, name: str, length: str | None) -> None:
        self._progress = progress if progress.active() else None
        self._name = name
        self._task = f"master {name}"
        self._total = float(length) if length and length.isdigit() else None
        self._chunks: list[bytes] = []
        self._size = 0
        if self._total is not None and self._total > MAX_MASTER_BYTES:
            raise self._too_large()

    def _too_large(self) -> KisTransportError:
        return KisTransportError(f"the master file {self._name} is larger than {MAX_MASTER_BYTES} bytes; refused")

    def add(self, chunk: bytes) -> None:
        """One chunk as httpx hands it over: after any Content-Encoding is undone, so a gzip bomb counts whole."""
        self._size += len(chunk)
        if self._size > MAX_MASTER_BYTES:
            raise self._too_large()
        self._chunks.append(chunk)
        if self._progress is not None:
            self._progress.report(self._task, self._size, self._total, "bytes")

    def finish(self, action: FetchMaster, status: int) -> bytes | None:
        if self._progress is not None:
            self._progress.report(self._task, self._size, self._total, "bytes", finished=True)
        if status != 200:
            return _failed(action, f"HTTP {status}")
        try:
            return unzip(b"".join(self._chunks))
        except ValueError as exc:
            return _failed(action, exc)


def _failed(action: FetchMaster, reason: object) -> bytes | None:
    """Nothing (logged): the caller falls back to the product inquiries."""
    log.warning(
        "Cannot download the master file %s from %s (%s); falling back to product inquiries",
        action.name,
        action.url,
        reason,
    )
    return None


def fetch_master(action: FetchMaster, timeout: float, verify: bool) -> bytes | None:
    """The content of the master archive ``action`` names, downloaded with a blocking client."""
    try:
        with (
            httpx.Client(timeout=timeout, verify=verify, trust_env=False) as client,
            client.stream("GET", action.url) as response,
        ):
            received = _Received(action.name, response.headers.get("content-length"))
            for chunk in response.iter_bytes():
                received.add(chunk)
    except httpx.HTTPError as exc:
        return _failed(action, exc)
    return received.finish(action, response.status_code)


async def fetch_master_async(action: FetchMaster, timeout: float, verify: bool) -> bytes | None:
    """:func:`fetch_master` on the event loop."""
    try:
        async with (
            httpx.AsyncClient(timeout=timeout, verify=verify, trust_env=False) as client,
            client.stream("GET", action.url) as response,
        ):
            received = _Received(action.name, response.headers.get("content-length"))
            async for chunk in response.aiter_bytes():
                received.add(chunk)
    except httpx.HTTPError as exc:
        return _failed(action, exc)
    return received.finish(action, response.status_code)

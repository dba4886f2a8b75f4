"""The asyncio REST transport."""

from __future__ import annotations

import logging

import httpx

from pykis._transport import (
    TransportOptions,
    declared_length,
    headers_of,
    raise_transport_error,
    request_kwargs,
    too_large,
)
from pykis.protocol.http import HttpRequest, HttpResponse

__all__ = ["AsyncTransport"]

log = logging.getLogger("pykis")


class AsyncTransport:
    """A pooled ``httpx.AsyncClient`` bound to one REST base URL."""

    def __init__(self, base_url: str, options: TransportOptions) -> None:
        self.base_url = base_url
        self._limit = options.max_response_bytes
        self._client = httpx.AsyncClient(**options.client_kwargs(base_url))  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return f"AsyncTransport({self.base_url!r})"

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send and read the whole answer; transport failures become :class:`KisTransportError`."""
        limit = self._limit
        try:
            outgoing = self._client.build_request(**request_kwargs(request))  # type: ignore[arg-type]
            response = await self._client.send(outgoing, stream=True)
            try:
                if declared_length(response) > limit:
                    raise too_large(request, limit)
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise too_large(request, limit)
                    chunks.append(chunk)
            finally:
                await response.aclose()
        except httpx.HTTPError as exc:
            raise_transport_error(exc, request, self.base_url)
        log.debug("%s %s tr_id=%s -> %d", request.method, request.path, request.tr_id, response.status_code)
        return HttpResponse(response.status_code, headers_of(response), b"".join(chunks))

    async def close(self) -> None:
        """Close the pooled connections."""
        await self._client.aclose()

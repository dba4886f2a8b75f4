"""The asyncio REST transport."""

from __future__ import annotations

import logging

import httpx

from pykis._transport import TransportOptions, raise_transport_error, request_kwargs, to_response
from pykis.protocol.http import HttpRequest, HttpResponse

__all__ = ["AsyncTransport"]

log = logging.getLogger("pykis")


class AsyncTransport:
    """A pooled ``httpx.AsyncClient`` bound to one REST base URL."""

    def __init__(self, base_url: str, options: TransportOptions) -> None:
        self.base_url = base_url
        self._client = httpx.AsyncClient(**options.client_kwargs(base_url))  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return f"AsyncTransport({self.base_url!r})"

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send and read the whole answer; transport failures become :class:`KisTransportError`."""
        try:
            response = await self._client.request(**request_kwargs(request))  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            raise_transport_error(exc, request)
        log.debug("%s %s tr_id=%s -> %d", request.method, request.path, request.tr_id, response.status_code)
        return to_response(response)

    async def close(self) -> None:
        """Close the pooled connections."""
        await self._client.aclose()

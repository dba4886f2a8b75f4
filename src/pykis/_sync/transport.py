"""The blocking REST transport."""

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

__all__ = ["SyncTransport"]

log = logging.getLogger("pykis")


class SyncTransport:
    """A pooled ``httpx.Client`` bound to one REST base URL."""

    def __init__(self, base_url: str, options: TransportOptions) -> None:
        self.base_url = base_url
        self._limit = options.max_response_bytes
        self._client = httpx.Client(**options.client_kwargs(base_url))  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return f"SyncTransport({self.base_url!r})"

    def send(self, request: HttpRequest) -> HttpResponse:
        """Send and read the whole answer; transport failures become :class:`KisTransportError`."""
        limit = self._limit
        try:
            outgoing = self._client.build_request(**request_kwargs(request))  # type: ignore[arg-type]
            response = self._client.send(outgoing, stream=True)
            try:
                if declared_length(response) > limit:
                    raise too_large(request, limit)
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise too_large(request, limit)
                    chunks.append(chunk)
            finally:
                response.close()
        except httpx.HTTPError as exc:
            raise_transport_error(exc, request, self.base_url)
        log.debug("%s %s tr_id=%s -> %d", request.method, request.path, request.tr_id, response.status_code)
        return HttpResponse(response.status_code, headers_of(response), b"".join(chunks))

    def close(self) -> None:
        """Close the pooled connections."""
        self._client.close()

"""Retry policy and jittered exponential backoff, as pure functions (the drivers do the sleeping)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import msgspec

from pykis.errors import (
    KisAPIError,
    KisDecodeError,
    KisError,
    KisGatewayTimeoutError,
    KisHTTPError,
    KisRateLimitError,
    KisTransportError,
)

if TYPE_CHECKING:
    import random

_SERVER_ERROR_CODES = frozenset({"EGW00002"})
"""Gateway codes of a passing server failure (``서버 에러가 발생했습니다``), worth another try for an inquiry."""

__all__ = ["RetryPolicy", "backoff", "is_server_failure"]


def is_server_failure(error: KisAPIError) -> bool:
    """A refusal envelope that is the server failing (EGW00002 at a 5xx status), not a judgement on the request:
    an inquiry may be tried again; for an order it says nothing of whether the order was placed."""
    return error.status >= 500 and error.msg_cd in _SERVER_ERROR_CODES


def backoff(
    initial: float = 0.2, factor: float = 2.0, maximum: float = 10.0, rng: random.Random | None = None
) -> Iterator[float]:
    """Delays ``initial·factor^n`` capped at ``maximum``, each drawn uniformly from [d/2, d] (jitter)."""
    if rng is None:
        import random  # noqa: PLC0415 — random only when no source is injected

        rng = random.Random()
    draw = rng.uniform
    delay = initial
    while True:
        yield draw(delay / 2, delay)
        delay = min(delay * factor, maximum)


class RetryPolicy(msgspec.Struct, frozen=True):
    """Which failures of an idempotent inquiry are worth another attempt, and how many."""

    attempts: int = 3
    initial: float = 0.2
    maximum: float = 5.0

    def should_retry(self, error: KisError, attempt: int, retryable: bool) -> bool:
        """``attempt`` counts from 1. Orders (non-retryable calls) are never resent. An inquiry is retried after
        a transport failure, EGW00201, a gateway timeout, a 5xx server error (EGW00002 or a body that is no
        envelope) and an answer that does not decode; business refusals are final."""
        if not retryable or attempt >= self.attempts:
            return False
        if isinstance(error, KisTransportError | KisRateLimitError | KisGatewayTimeoutError | KisDecodeError):
            return True  # lost, refused for the rate, timed out at the gateway, or garbled on the way
        if isinstance(error, KisHTTPError):
            return error.status >= 500
        return isinstance(error, KisAPIError) and is_server_failure(error)

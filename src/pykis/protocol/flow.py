"""Request flows: the retry, token-refresh and paging rules, written once as generators.

A flow yields *actions* (get a token, wait for a rate slot, send, sleep) and receives their results;
the sync and asyncio drivers perform them. Failures of an action are thrown back into the flow, which
decides whether to retry. This is the only place those rules live.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import msgspec

if TYPE_CHECKING:
    import random

from pykis.errors import KisError, KisRateLimitError, KisTokenExpiredError
from pykis.protocol.env import Environment
from pykis.protocol.http import HttpRequest, HttpResponse
from pykis.protocol.request import ApiCall, Credentials, build_request
from pykis.protocol.retry import RetryPolicy, backoff

if TYPE_CHECKING:
    from pykis.protocol.envelope import Envelope

__all__ = [
    "Action",
    "Flow",
    "GetToken",
    "LoadMasters",
    "RateRefused",
    "Relay",
    "Send",
    "Sleep",
    "Throttle",
    "call_flow",
    "relay_flow",
]


class GetToken(msgspec.Struct, frozen=True):
    """Result: a valid access token for ``environment``, never ``stale`` (the one just refused)."""

    environment: Environment
    stale: str | None = None

    def __repr__(self) -> str:
        return f"GetToken({self.environment.value}, stale={'***' if self.stale else None})"


class Throttle(msgspec.Struct, frozen=True):
    """Result: a permit (the send time booked with the rate limiter) once a slot within the app key's
    limit has come; pass it on to :class:`Send`."""

    environment: Environment


class Send(msgspec.Struct, frozen=True):
    """Result: the :class:`HttpResponse`; transport failures are thrown into the flow. The driver tells
    the rate limiter when the answer arrived, the latest moment the server can have counted it."""

    environment: Environment
    request: HttpRequest
    permit: float | None = None


class Sleep(msgspec.Struct, frozen=True):
    """Result: ``None`` after ``seconds``."""

    seconds: float


class RateRefused(msgspec.Struct, frozen=True):
    """The server answered EGW00201 despite throttling: tell the limiter to hold back."""

    environment: Environment


class LoadMasters(msgspec.Struct, frozen=True):
    """Result: a :class:`pykis.exchanges.masters.SymbolIndex` holding at least the rows of ``files`` (master files
    from the cache directory, downloaded when older than a day; a file that cannot be had is skipped)."""

    files: tuple[str, ...]


class SyncClock(msgspec.Struct, frozen=True):
    """Result: ``None`` once the client's :class:`~pykis.protocol.clock.ServiceClock` has heard the service's
    time — at most one plain ``GET /`` of the REST host per client (no key, no TR: any answer carries ``Date``);
    flows that compute dates from "now" ask for it before their first request."""

    environment: Environment


class Relay(msgspec.Struct, frozen=True):
    """Result: the :class:`Envelope` of ``call`` performed whole by a gateway (:mod:`pykis.gateway`), which
    holds the token and the rate budget; its failures are thrown into the flow as typed errors."""

    call: ApiCall


Action = GetToken | Throttle | Send | Sleep | RateRefused | LoadMasters | SyncClock | Relay
Flow = Generator[Action, Any, Any]


def relay_flow(call: ApiCall) -> Generator[Action, Any, Envelope]:
    """One API call through a gateway: the gateway runs :func:`call_flow` with its own key."""
    envelope: Envelope = yield Relay(call)
    return envelope


def call_flow(
    call: ApiCall,
    environment: Environment,
    credentials: Credentials,
    policy: RetryPolicy,
    rng: random.Random | None = None,
) -> Generator[Action, Any, Envelope]:
    """One API call: token, throttle, send, decode; retry what may be retried.

    - EGW00123 (token expired) or EGW00121 (token unknown to the server): re-issue once and resend once —
      the gateway refused the request before it reached the trading system, so even an order is safe to
      resend.
    - Transport errors, EGW00201 and gateway timeouts: only idempotent calls (inquiries) are retried,
      with jittered exponential backoff. An order is never resent (a resend could double it).
    """
    from pykis.protocol.envelope import decode_envelope  # noqa: PLC0415 — msgspec loads with the first call, not on import

    delays = backoff(policy.initial, 2.0, policy.maximum, rng)
    stale: str | None = None
    refreshed = False
    attempt = 0
    while True:
        attempt += 1
        token = yield GetToken(environment, stale)
        request = build_request(call, environment, credentials, token)
        permit = yield Throttle(environment)
        try:
            response: HttpResponse = yield Send(environment, request, permit)
            return decode_envelope(response, request.tr_id)
        except KisTokenExpiredError:
            # EGW00123 (expired) or EGW00121 (a kept token the server no longer knows): the gateway refused
            # before the trading system saw the request, so re-issue once and resend once, even an order.
            if refreshed:
                raise
            refreshed, stale = True, token
            attempt -= 1
            continue
        except KisRateLimitError as error:
            yield RateRefused(environment)
            if not policy.should_retry(error, attempt, call.retryable):
                raise
        except KisError as error:
            if not policy.should_retry(error, attempt, call.retryable):
                raise
        yield Sleep(next(delays))

"""What the blocking and the asyncio realtime clients share: handlers, tickets, routing, options, decoding.

No I/O here. The drivers (:mod:`pykis.drivers.websocket_blocking`, :mod:`pykis.drivers.websocket_asyncio`) own
the sockets, threads and tasks, and call into :class:`RealtimeCore` to register handlers, to learn what to send and to
route decoded events to callbacks; :func:`decode_frame` turns the protocol's records into typed events.
"""

from __future__ import annotations

import collections
import itertools
import logging
import re
import threading
import warnings
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

import msgspec

from pykis.errors import KisRealtimeDecodeError, KisValidationError
from pykis.models._realtime_events import EVENTS
from pykis.models.realtime import (
    KST,
    MIN_WIDTHS,
    RSYM_TRS,
    KisRealtimeEvent,
    KisRealtimeExecution,
    KisRealtimeRecord,
    event_for,
    rekey,
)
from pykis.protocol.env import Environment
from pykis.protocol.websocket import (
    MAX_SUBSCRIPTIONS,
    NOTICE_TRS,
    Cipher,
    DataFrame,
    Heartbeat,
    KisReconnectEvent,
    KisWebsocketTR,
    ReconnectPolicy,
    SubscribeCommand,
    Subscriptions,
    frame_payload,
    split_records,
)

if TYPE_CHECKING:
    from pykis.client import _ClientCore

__all__ = [
    "KisEventTicket",
    "KisReconnectEvent",
    "KisSubscriptionEventArgs",
    "RealtimeCore",
    "RealtimeOptions",
    "decode_frame",
    "order_filter",
    "symbol_filter",
]

log = logging.getLogger("pykis")


_TR_ID = re.compile(r"[A-Za-z0-9]{1,16}")

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class KisSubscriptionEventArgs(msgspec.Struct, Generic[T], frozen=True):
    """What a callback receives as ``e``: the registration and the typed event in ``response``."""

    tr: KisWebsocketTR
    response: T


class RealtimeOptions(msgspec.Struct, frozen=True):
    """Tuning of a realtime client; the defaults suit the broker's servers.

    ``reconnect``: backoff between attempts; ``heartbeat``: the silence that counts as a dead connection;
    ``queue_size``: frames buffered between the socket reader and the callbacks (beyond it frames are dropped
    and counted, so a slow callback never stalls the reader); ``limit``: registrations per session;
    ``open_timeout``: the WebSocket handshake; ``path``: appended to the host (PROTOCOL.md §1).
    """

    reconnect: ReconnectPolicy = msgspec.field(default_factory=ReconnectPolicy)
    heartbeat: Heartbeat = msgspec.field(default_factory=Heartbeat)
    queue_size: int = 100_000
    limit: int = MAX_SUBSCRIPTIONS
    open_timeout: float = 10.0
    close_timeout: float = 2.0
    path: str = "/tryitout"


def decode_frame(frame: DataFrame, cipher: Cipher | None = None, day: date | None = None) -> list[KisRealtimeEvent]:
    """The typed events of a data frame. ``day`` dates records that carry only a time of day (order books,
    notices); the driver passes the local date the frame arrived. Raises :class:`KisRealtimeDecodeError`."""
    payload = frame_payload(frame, cipher) if frame.encrypted else frame.payload
    tr_id = frame.tr_id
    narrowest = MIN_WIDTHS.get(tr_id, 1)
    if frame.count != 1:
        return [event_for(tr_id, record, day) for record in split_records(tr_id, payload, frame.count, narrowest)]
    # The hot path: one record, no split; only the width is checked.
    if payload.count("^") < narrowest - 1:
        raise KisRealtimeDecodeError("record narrower than the oldest known layout", tr_id=tr_id)
    if tr_id in RSYM_TRS:
        return [event_for(tr_id, payload, day)]
    return [EVENTS.get(tr_id, KisRealtimeRecord)(tr_id, payload, None, day)]


def symbol_filter(*symbols: str) -> Callable[[Any], bool]:
    """A ``where`` that keeps events of the given symbols."""
    wanted = frozenset(symbols)
    return lambda event: getattr(event, "symbol", None) in wanted


def order_filter(*order_numbers: str) -> Callable[[Any], bool]:
    """A ``where`` that keeps execution notices of the given order numbers (leading zeros ignored)."""
    wanted = frozenset(number.lstrip("0") for number in order_numbers)

    def keep(event: Any) -> bool:
        return isinstance(event, KisRealtimeExecution) and (
            event.order_number.lstrip("0") in wanted or (event.original_order_number or "").lstrip("0") in wanted
        )

    return keep


class _Owner(Protocol):
    def _release(self, ticket: int) -> None: ...

    def _release_soon(self, ticket: int) -> None: ...


class KisEventTicket:
    """A live callback registration. :meth:`unsubscribe` ends it; so does leaving a ``with`` block.

    Tickets of one (TR, key) share one server registration, released with the last ticket. A ticket that is
    garbage-collected while live unsubscribes too, with a :class:`ResourceWarning` and a log line: keep the
    ticket for as long as you want events.
    """

    __slots__ = ("__weakref__", "_active", "_id", "_owner", "tr")

    def __init__(self, owner: _Owner, ticket: int, tr: KisWebsocketTR) -> None:
        self._owner = owner
        self._id = ticket
        self.tr = tr
        self._active = True

    @property
    def active(self) -> bool:
        """Whether the callback still receives events."""
        return self._active

    def unsubscribe(self) -> None:
        """Stop the callback; releases the server registration when no other ticket uses it. Idempotent."""
        if self._active:
            self._active = False
            self._owner._release(self._id)

    def __enter__(self) -> KisEventTicket:
        return self

    def __exit__(self, *exc: object) -> None:
        self.unsubscribe()

    def __del__(self) -> None:
        if not getattr(self, "_active", False):
            return
        self._active = False
        # The collector may run on any thread, even one holding the client's locks: hand the release over.
        try:
            self._owner._release_soon(self._id)
        except Exception:  # noqa: BLE001 — nothing may escape a finaliser
            return
        log.warning("RTC Ticket for %s was garbage-collected; unsubscribing", self.tr)
        try:
            warnings.warn(
                f"KisEventTicket for {self.tr} was garbage-collected while subscribed; keep the ticket or call "
                "unsubscribe()",
                ResourceWarning,
                stacklevel=2,
            )
        except Exception:  # noqa: BLE001, S110 — with warnings as errors, a finaliser must still not raise
            pass

    def __repr__(self) -> str:
        state = "active" if self._active else "unsubscribed"
        return f"KisEventTicket(tr={self.tr!r}, {state})"


class Handler(msgspec.Struct, eq=False):
    """One callback registration."""

    id: int
    tr: KisWebsocketTR
    environment: Environment
    callback: Callable[[Any, Any], Any]
    where: Callable[[Any], bool] | None
    failures: int = 0
    """Times the callback (or its filter) raised; the first is logged with its traceback, the rest counted."""
    summarized: int = 0
    last_error: str = ""


class RealtimeCore:
    """Handlers and per-environment subscription state; thread-safe (one lock)."""

    def __init__(self, kis: _ClientCore, options: RealtimeOptions | None = None) -> None:
        self.kis = kis
        self.options = options or RealtimeOptions()
        self.lock = threading.RLock()
        self.sessions: dict[Environment, Subscriptions] = {}
        self.handlers: dict[int, Handler] = {}
        # tr_id → key → handler id → handler: the routing table of data frames.
        self.routes: dict[str, dict[str, dict[int, Handler]]] = {}
        self.reconnect_handlers: dict[int, Callable[[Any, KisReconnectEvent], Any]] = {}
        self.releases: collections.deque[int] = collections.deque()
        self._ids = itertools.count(1)
        self.dropped = 0
        self.failed_callbacks = 0
        self._day = date.min
        self._day_ends = 0.0

    # -- environments ---------------------------------------------------------------------------------

    def environment_for(self, tr_id: str) -> Environment:
        """Notice TRs go to their own service (``…9`` virtual, ``…0`` real); market data goes to real when
        configured (the same rule as REST inquiries)."""
        if tr_id in NOTICE_TRS:
            environment = Environment.VIRTUAL if tr_id.endswith("9") else Environment.REAL
            if environment not in self.kis.environments:
                raise KisValidationError(f"{tr_id} needs {environment.value} credentials, which were not given")
            return environment
        return self.kis._side_for(trading=False).environment

    def session(self, environment: Environment) -> Subscriptions:
        """The subscription state of one environment's connection."""
        state = self.sessions.get(environment)
        if state is None:
            state = self.sessions[environment] = Subscriptions(self.options.limit, environment)
        return state

    # -- registration ---------------------------------------------------------------------------------

    def register(
        self,
        tr_id: str,
        key: str,
        callback: Callable[[Any, Any], Any],
        where: Callable[[Any], bool] | None,
    ) -> tuple[Handler, list[SubscribeCommand]]:
        """Add a handler; the commands to send now (the caller holds :attr:`lock` while sending them)."""
        if not tr_id or not key:
            raise KisValidationError("a realtime registration needs a TR ID and a key")
        if not _TR_ID.fullmatch(tr_id):
            raise KisValidationError(f"{tr_id[:40]!r} is not a TR ID (letters and digits, e.g. 'H0STCNT0')")
        if len(key) > 64 or not key.isprintable() or any(c in key for c in "|^ "):
            raise KisValidationError(f"{key[:40]!r} is not a realtime key (a symbol or an HTS ID)")
        if not callable(callback):
            raise KisValidationError("the callback must be callable")
        tr = KisWebsocketTR(tr_id, key)
        environment = self.environment_for(tr_id)
        commands = self.session(environment).add(tr)  # raises the limit error before anything changes
        handler = Handler(next(self._ids), tr, environment, callback, where)
        self.handlers[handler.id] = handler
        self.routes.setdefault(tr_id, {}).setdefault(key, {})[handler.id] = handler
        return handler, commands

    def unregister(self, ticket: int) -> tuple[Environment | None, list[SubscribeCommand]]:
        """Remove a handler; the commands to send now."""
        handler = self.handlers.pop(ticket, None)
        if handler is None:
            return None, []
        self.summarize(handler)
        keys = self.routes.get(handler.tr.id, {})
        group = keys.get(handler.tr.key, {})
        group.pop(ticket, None)
        if not group:
            keys.pop(handler.tr.key, None)
        if not keys:
            self.routes.pop(handler.tr.id, None)
        return handler.environment, self.session(handler.environment).remove(handler.tr)

    def add_reconnect_handler(self, callback: Callable[[Any, KisReconnectEvent], Any]) -> int:
        """Register a reconnect callback; returns its ticket id."""
        ticket = next(self._ids)
        self.reconnect_handlers[ticket] = callback
        return ticket

    # -- routing --------------------------------------------------------------------------------------

    def route(self, tr_id: str, event: KisRealtimeEvent) -> list[Handler]:
        """The handlers an event goes to. Data frames carry no key: it is the record's first field for
        domestic TRs, the realtime key (or the symbol after it) for overseas TRs, any key for notices."""
        keys = self.routes.get(tr_id)
        if not keys:
            return []
        if tr_id in NOTICE_TRS:
            return [h for group in keys.values() for h in group.values()]
        hint = event._k
        if hint is not None:
            group = keys.get(hint)
            return list(group.values()) if group else []
        raw = event._r
        first = raw[: raw.find("^")]
        group = keys.get(first)
        if group:
            return list(group.values())
        # Overseas records in websocket.json's layout lead with the bare symbol; the key is D/R + EXCD + symbol.
        # If the same symbol is registered under two keys (say DNASAAPL and RBAQAAPL), such a record cannot
        # tell them apart and goes to both; records led by the realtime key (RSYM) are routed exactly.
        matches = [key for key in keys if len(key) > 4 and key[4:] == first]
        if matches:
            rekey(event, matches[0])
            return [h for key in matches for h in keys[key].values()]
        if len(keys) == 1:
            (group,) = keys.values()
            return list(group.values())
        return []

    @staticmethod
    def accepts(handler: Handler, event: KisRealtimeEvent) -> bool:
        """Whether the handler's ``where`` keeps ``event`` (a failing filter is logged, the event skipped)."""
        if handler.where is None:
            return True
        try:
            return bool(handler.where(event))
        except Exception as exc:  # noqa: BLE001 - user code may raise anything: logged in raised()
            RealtimeCore.raised(handler, exc, "Filter", "event skipped")
            return False

    def callback_raised(self, handler: Handler, exc: Exception) -> None:
        """A user callback raised: counted, and logged as :meth:`raised` says; the stream goes on."""
        self.failed_callbacks += 1
        self.raised(handler, exc, "Callback", "the stream goes on")

    @staticmethod
    def raised(handler: Handler, exc: Exception, what: str, then: str) -> None:
        """The first error of a callback or filter is logged with its traceback; repeats are counted and
        summarized at 10, 100, 1000… and when the registration ends, so that a callback failing on every
        tick does not bury the log in tracebacks."""
        handler.failures += 1
        handler.last_error = f"{type(exc).__name__}: {exc}"
        if handler.failures == 1:
            log.error(
                "RTC %s of %s raised; %s (repeats are counted, not logged each time)",
                what,
                handler.tr,
                then,
                exc_info=exc,
            )
            handler.summarized = 1
            return
        if handler.failures in (10, 100, 1_000) or handler.failures % 10_000 == 0:
            RealtimeCore.summarize(handler, what)

    def summarize_all(self) -> None:
        """The summaries still owed when the client closes."""
        for handler in list(self.handlers.values()):
            self.summarize(handler)

    @staticmethod
    def summarize(handler: Handler, what: str = "Callback") -> None:
        """Log how many errors of ``handler`` followed the first and were not logged yet."""
        more = handler.failures - handler.summarized
        if more <= 0:
            return
        handler.summarized = handler.failures
        log.warning(
            "RTC %s of %s raised %d more time(s), %d in all; the last: %s",
            what,
            handler.tr,
            more,
            handler.failures,
            handler.last_error,
        )

    def today(self, now: float) -> date:
        """The Korean date at Unix time ``now`` (cached until the next midnight)."""
        if now >= self._day_ends:
            moment = datetime.fromtimestamp(now, KST)
            self._day = moment.date()
            midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
            self._day_ends = midnight + 86400
        return self._day

    # -- views ----------------------------------------------------------------------------------------

    def subscriptions(self) -> set[KisWebsocketTR]:
        """Every (TR, key) with a live ticket, connected or not."""
        with self.lock:
            return {tr for state in self.sessions.values() for tr in state.wanted}

    def confirmed(self) -> set[KisWebsocketTR]:
        """Registrations the servers confirmed on the current connections."""
        with self.lock:
            return {tr for state in self.sessions.values() for tr in state.confirmed}

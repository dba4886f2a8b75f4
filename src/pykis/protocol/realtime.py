"""The realtime (WebSocket) protocol without I/O: messages, frames, subscriptions, heartbeat, AES.

PROTOCOL.md §5. The client sends JSON subscribe/unsubscribe messages carrying the approval key; the server
answers each with a JSON control reply, sends ``{"header": {"tr_id": "PINGPONG", …}}`` heartbeats that
the client echoes, and data frames ``<flag>|<TR_ID>|<COUNT>|<payload>`` whose payload holds COUNT records
of N ``^``-separated fields (flag 1: the payload is base64 AES-256-CBC with the TR's key and IV).

Nothing here touches a socket or a clock: :func:`parse_message` turns any text into a typed message,
:class:`Subscriptions` decides what to send and when, :class:`Heartbeat` and :func:`reconnect_delays` are
arithmetic; the drivers in :mod:`pykis._sync.websocket` and :mod:`pykis._async.websocket` do the I/O.

Errors (all :class:`~pykis.errors.KisError`)::

    KisValidationError
    └── KisSubscriptionLimitError   a 42nd registration, refused before anything is sent
    KisDecodeError
    └── KisRealtimeDecodeError      a malformed data frame or a notice that does not decrypt
    KisAPIError
    └── KisSubscriptionError        the server refused a registration (MAX SUBSCRIBE OVER, invalid key, …)
"""

from __future__ import annotations

import base64
import binascii
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any, Literal

from pykis.errors import (
    KisRealtimeDecodeError,
    KisSubscriptionError,
    KisSubscriptionLimitError,
    KisValidationError,
)
from pykis.models.realtime import MIN_WIDTHS, RSYM_TRS, KisRealtimeEvent, event_for, event_type
from pykis.protocol.env import Environment
from pykis.protocol.retry import backoff

__all__ = [
    "MAX_SUBSCRIPTIONS",
    "NOTICE_TRS",
    "Cipher",
    "ControlReply",
    "DataFrame",
    "Heartbeat",
    "KisRealtimeDecodeError",
    "KisSubscriptionError",
    "KisSubscriptionLimitError",
    "KisWebsocketTR",
    "Malformed",
    "Message",
    "PingPong",
    "ReconnectPolicy",
    "ReplyKind",
    "ServerState",
    "SubscribeCommand",
    "Subscriptions",
    "decode_frame",
    "decrypt",
    "encrypt",
    "environment_of",
    "execution_tr",
    "is_notice_tr",
    "orderbook_tr",
    "parse_message",
    "price_tr",
    "reconnect_delays",
    "split_records",
    "subscribe_message",
    "websocket_url",
]

MAX_SUBSCRIPTIONS = 41
"""Registrations KIS allows per app key and session (PROTOCOL.md §5: "at most 41"); the 42nd is refused
with MAX SUBSCRIBE OVER."""

NOTICE_TRS = frozenset(
    {"H0STCNI0", "H0STCNI9", "H0GSCNI0", "H0GSCNI9", "H0IFCNI0", "H0IFCNI9", "H0MFCNI0", "H0EUCNI0"}
    | {"HDFFF1C0", "HDFFF2C0"}
)
"""The encrypted execution-notice TRs, keyed by HTS ID rather than symbol (PROTOCOL.md §5)."""


# ------------------------------------------------------------------------------------------------- errors


# ----------------------------------------------------------------------------------------- the TR and key


@dataclass(frozen=True, slots=True, order=True)
class KisWebsocketTR:
    """One realtime registration: a TR ID and its key (symbol, ``D``+EXCD+symbol, or HTS ID)."""

    id: str
    key: str

    def __str__(self) -> str:
        return f"{self.id}.{self.key}"


def is_notice_tr(tr_id: str) -> bool:
    """Whether ``tr_id`` is an (encrypted, HTS-ID keyed) execution-notice TR."""
    return tr_id in NOTICE_TRS


_DOMESTIC = {"KRX": "ST", "NXT": "NX", "UN": "UN", "SOR": "UN", "INTEGRATED": "UN"}
# Order-side exchange codes (OVRS_EXCG_CD) and python-kis market names → the quote side's EXCD.
_EXCD = {
    "NASD": "NAS", "NASDAQ": "NAS", "NYSE": "NYS", "AMEX": "AMS",
    "SEHK": "HKS", "HKEX": "HKS", "SHAA": "SHS", "SSE": "SHS", "SZAA": "SZS", "SZSE": "SZS",
    "TKSE": "TSE", "TYO": "TSE", "HASE": "HNX", "VNSE": "HSX",
}  # fmt: skip
_DAYTIME = {"NAS": "BAQ", "NYS": "BAY", "AMS": "BAA"}
_US = frozenset({"NAS", "NYS", "AMS", "BAQ", "BAY", "BAA"})
_OVERSEAS = frozenset({"NAS", "NYS", "AMS", "BAQ", "BAY", "BAA", "HKS", "TSE", "SHS", "SZS", "HNX", "HSX"})
_SYMBOL_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789./-_")


def _overseas_key(market: str, symbol: str, daytime: bool) -> tuple[str, bool]:
    excd = _EXCD.get(market.upper(), market.upper())
    if excd not in _OVERSEAS:
        raise KisValidationError(f"unknown market {market!r}: use KRX, NXT, UN or an EXCD such as NAS, NYS, HKS")
    if daytime:
        if excd not in _US:
            raise KisValidationError(f"the daytime session trades US listings only, not {market!r}")
        excd = _DAYTIME.get(excd, excd)
    if not symbol or not set(symbol) <= _SYMBOL_CHARS:
        raise KisValidationError(f"invalid overseas symbol {symbol!r}")
    prefix = "R" if excd in ("BAQ", "BAY", "BAA") else "D"
    return prefix + excd + symbol.upper(), excd in _US


def _domestic_symbol(symbol: str) -> str:
    if not (len(symbol) == 6 and symbol.isascii() and symbol.isalnum()):
        raise KisValidationError(f"a domestic realtime key is a 6-character short code, not {symbol!r}")
    return symbol


def price_tr(market: str, symbol: str, *, daytime: bool = False) -> KisWebsocketTR:
    """The trade-tick registration of ``symbol`` on ``market``.

    ``KRX`` → H0STCNT0, ``NXT`` → H0NXCNT0, ``UN`` (integrated) → H0UNCNT0, keyed by the 6-character code;
    an overseas EXCD (``NAS``, ``NYS``, ``AMS``, ``HKS``, ``TSE``, ``SHS``, ``SZS``, ``HNX``, ``HSX``; also
    ``NASD``/``NYSE``/…) → HDFSCNT0 keyed ``D``+EXCD+symbol; ``BAQ``/``BAY``/``BAA`` or ``daytime=True`` → the
    US daytime session, keyed ``R``+BAQ/BAY/BAA+symbol (PROTOCOL.md §9, §15).
    """
    prefix = _DOMESTIC.get(market.upper())
    if prefix is not None:
        return KisWebsocketTR(f"H0{prefix}CNT0", _domestic_symbol(symbol))
    key, _ = _overseas_key(market, symbol, daytime)
    return KisWebsocketTR("HDFSCNT0", key)


def orderbook_tr(market: str, symbol: str, *, daytime: bool = False) -> KisWebsocketTR:
    """The order-book registration: H0STASP0/H0NXASP0/H0UNASP0, HDFSASP0 (US; also the daytime session), or
    HDFSASP1 (Asian markets' delayed book, which needs no paid subscription)."""
    prefix = _DOMESTIC.get(market.upper())
    if prefix is not None:
        return KisWebsocketTR(f"H0{prefix}ASP0", _domestic_symbol(symbol))
    key, us = _overseas_key(market, symbol, daytime)
    return KisWebsocketTR("HDFSASP0" if us else "HDFSASP1", key)


def execution_tr(environment: Environment, hts_id: str, *, overseas: bool = False) -> KisWebsocketTR:
    """The execution-notice registration of an account holder: H0STCNI0/H0STCNI9 (domestic) or
    H0GSCNI0/H0GSCNI9 (overseas), real/virtual, keyed by the HTS ID (PROTOCOL.md §5)."""
    if not hts_id or not hts_id.strip():
        raise KisValidationError("execution notices are keyed by the HTS ID; none is configured")
    stem = "H0GSCNI" if overseas else "H0STCNI"
    return KisWebsocketTR(stem + ("9" if environment is Environment.VIRTUAL else "0"), hts_id)


def environment_of(tr_id: str) -> Literal["real", "virtual", "any"]:
    """``virtual`` for the virtual service's notice TRs (``…9``), ``real`` for the real ones, ``any`` for
    market data (served by both)."""
    if tr_id in NOTICE_TRS:
        return "virtual" if tr_id.endswith("9") else "real"
    return "any"


def websocket_url(base: str, path: str = "/tryitout") -> str:
    """The URL to open: ``base`` plus ``/tryitout`` (current samples) unless ``base`` names a path already."""
    rest = base.split("://", 1)[-1]
    if "/" in rest.rstrip("/"):
        return base
    return base.rstrip("/") + path


# ----------------------------------------------------------------------------------------------- outgoing


def subscribe_message(approval_key: str, tr: KisWebsocketTR, *, register: bool = True, custtype: str = "P") -> str:
    """The JSON text of a register (``tr_type`` 1) or release (``tr_type`` 2) message."""
    return json.dumps(
        {
            "header": {
                "approval_key": approval_key,
                "custtype": custtype,
                "tr_type": "1" if register else "2",
                "content-type": "utf-8",
            },
            "body": {"input": {"tr_id": tr.id, "tr_key": tr.key}},
        },
        separators=(",", ":"),
    )


# ----------------------------------------------------------------------------------------------- incoming


class ReplyKind(Enum):
    """What a control reply says."""

    SUBSCRIBED = "SUBSCRIBE SUCCESS"
    ALREADY = "ALREADY IN SUBSCRIBE"
    UNSUBSCRIBED = "UNSUBSCRIBE SUCCESS"
    UNSUBSCRIBE_ERROR = "UNSUBSCRIBE ERROR"
    LIMIT = "MAX SUBSCRIBE OVER"
    INVALID_KEY = "invalid approval key"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class ControlReply:
    """A JSON control reply to a (un)subscribe message."""

    tr_id: str
    tr_key: str
    rt_cd: str
    msg_cd: str
    msg1: str
    encrypted: bool = False
    key: str | None = None
    iv: str | None = None

    @property
    def tr(self) -> KisWebsocketTR:
        """The registration the reply is about."""
        return KisWebsocketTR(self.tr_id, self.tr_key)

    @property
    def kind(self) -> ReplyKind:
        """The reply classified by ``msg1`` (and ``msg_cd`` for the approval-key refusal OPSP0011)."""
        text = self.msg1.upper()
        if "MAX SUBSCRIBE" in text or self.msg_cd == "OPSP0008":
            return ReplyKind.LIMIT
        if "ALREADY" in text:
            return ReplyKind.ALREADY
        if text.startswith("UNSUB"):
            return ReplyKind.UNSUBSCRIBED if self.rt_cd == "0" else ReplyKind.UNSUBSCRIBE_ERROR
        if self.msg_cd == "OPSP0011" or "APPKEY" in text or "APPROVAL" in text:
            return ReplyKind.INVALID_KEY
        if self.rt_cd == "0" and "SUBSCRIBE" in text:
            return ReplyKind.SUBSCRIBED
        return ReplyKind.ERROR

    def error(self) -> KisSubscriptionError:
        """The refusal as an exception (never raised by the protocol; the drivers log or deliver it)."""
        return KisSubscriptionError(rt_cd=self.rt_cd, msg_cd=self.msg_cd, msg1=self.msg1, tr_id=self.tr_id)


@dataclass(frozen=True, slots=True)
class PingPong:
    """A server heartbeat; send ``text`` straight back."""

    text: str


@dataclass(slots=True)
class DataFrame:
    """``<flag>|<TR_ID>|<COUNT>|<payload>``: COUNT records of ``tr_id``; ``encrypted`` when flag is 1.

    Not frozen: one is built per frame on the hot path, and a frozen dataclass's ``__init__`` costs 3×.
    """

    encrypted: bool
    tr_id: str
    count: int
    payload: str


@dataclass(frozen=True, slots=True)
class Malformed:
    """Text that is none of the above; logged and skipped."""

    reason: str
    text: str


Message = ControlReply | PingPong | DataFrame | Malformed


def _str(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def parse_message(text: str) -> Message:
    """Classify one text frame from the server. Never raises: anything unrecognised is :class:`Malformed`."""
    head = text[:2]
    if head in ("0|", "1|"):
        parts = text.split("|", 3)
        if len(parts) != 4:
            return Malformed("a data frame needs flag|TR_ID|COUNT|payload", text[:120])
        count = parts[2]
        if not count.isdigit() or not count.isascii():
            return Malformed("COUNT is not a number", text[:120])
        number = int(count)
        if number < 1 or number > 10_000:
            return Malformed(f"COUNT {number} out of range", text[:120])
        return DataFrame(head == "1|", parts[1], number, parts[3])
    try:
        message = json.loads(text)
    except (ValueError, RecursionError):
        return Malformed("neither a data frame nor JSON", text[:120])
    if not isinstance(message, dict):
        return Malformed("JSON that is not an object", text[:120])
    header = message.get("header")
    if not isinstance(header, dict):
        return Malformed("JSON without a header", text[:120])
    tr_id = _str(header.get("tr_id"))
    if tr_id == "PINGPONG":
        return PingPong(text)
    body = message.get("body")
    if not isinstance(body, dict):
        return Malformed("control reply without a body", text[:120])
    output = body.get("output")
    key = iv = None
    if isinstance(output, dict):
        key = _str(output.get("key")) or None
        iv = _str(output.get("iv")) or None
    return ControlReply(
        tr_id=tr_id,
        tr_key=_str(header.get("tr_key")),
        rt_cd=_str(body.get("rt_cd")),
        msg_cd=_str(body.get("msg_cd")),
        msg1=_str(body.get("msg1")),
        encrypted=_str(header.get("encrypt")).upper() == "Y",
        key=key,
        iv=iv,
    )


def split_records(tr_id: str, payload: str, count: int, min_width: int | None = None) -> list[str]:
    """The COUNT records of a payload, each as its own ``^``-joined text.

    The record width N is total fields / COUNT, so records wider than the layout we know (fields the server
    added) split correctly; a total not divisible by COUNT, or N narrower than ``min_width`` (default: the
    oldest known layout of ``tr_id``), raises :class:`KisRealtimeDecodeError`.
    """
    narrowest = MIN_WIDTHS.get(tr_id, 1) if min_width is None else min_width
    if count == 1:
        # The common case: no split needed, just check the width.
        if payload.count("^") + 1 < narrowest:
            raise KisRealtimeDecodeError(f"record narrower than {narrowest} fields", tr_id=tr_id)
        return [payload]
    fields = payload.split("^")
    total = len(fields)
    width, rest = divmod(total, count)
    if rest or width < narrowest:
        raise KisRealtimeDecodeError(f"{total} fields do not make {count} records of ≥{narrowest}", tr_id=tr_id)
    join = "^".join
    return [join(fields[start : start + width]) for start in range(0, total, width)]


@dataclass(frozen=True, slots=True)
class Cipher:
    """The AES-256 key and IV of one encrypted TR, from its subscribe reply (PROTOCOL.md §5)."""

    key: str
    iv: str

    def __repr__(self) -> str:
        return "Cipher(key=***, iv=***)"


def decrypt(payload: str, cipher: Cipher, tr_id: str | None = None) -> str:
    """Base64 → AES-256-CBC (UTF-8 bytes of key and IV) → PKCS#7 unpad → UTF-8 text.

    Raises :class:`KisRealtimeDecodeError` for bad base64, a key of the wrong size, bad padding (the usual
    sign of a wrong key) or bytes that are not UTF-8.
    """
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher as AesCipher
    from cryptography.hazmat.primitives.ciphers import algorithms, modes

    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise KisRealtimeDecodeError("encrypted payload is not base64", tr_id=tr_id) from None
    if not data or len(data) % 16:
        raise KisRealtimeDecodeError("encrypted payload is not whole AES blocks", tr_id=tr_id)
    try:
        decryptor = AesCipher(algorithms.AES(cipher.key.encode()), modes.CBC(cipher.iv.encode())).decryptor()
        padded = decryptor.update(data) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        plain = unpadder.update(padded) + unpadder.finalize()
        return plain.decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise KisRealtimeDecodeError("notice does not decrypt with the TR's key and IV", tr_id=tr_id) from None


def encrypt(text: str, cipher: Cipher) -> str:
    """The inverse of :func:`decrypt` (for tests and the emulator)."""
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher as AesCipher
    from cryptography.hazmat.primitives.ciphers import algorithms, modes

    padder = padding.PKCS7(128).padder()
    data = padder.update(text.encode("utf-8")) + padder.finalize()
    encryptor = AesCipher(algorithms.AES(cipher.key.encode()), modes.CBC(cipher.iv.encode())).encryptor()
    return base64.b64encode(encryptor.update(data) + encryptor.finalize()).decode()


def decode_frame(frame: DataFrame, cipher: Cipher | None = None, day: date | None = None) -> list[KisRealtimeEvent]:
    """The typed events of a data frame. ``day`` dates records that carry only a time of day (order books,
    notices); the driver passes the local date the frame arrived. Raises :class:`KisRealtimeDecodeError`."""
    payload = frame.payload
    tr_id = frame.tr_id
    if frame.encrypted:
        if cipher is None:
            raise KisRealtimeDecodeError("encrypted frame before its subscribe reply gave a key", tr_id=tr_id)
        payload = decrypt(payload, cipher, tr_id)
    if frame.count == 1 and tr_id not in RSYM_TRS:
        # The hot path: one record, no split; only the width is checked.
        if payload.count("^") < MIN_WIDTHS.get(tr_id, 1) - 1:
            raise KisRealtimeDecodeError("record narrower than the oldest known layout", tr_id=tr_id)
        return [event_type(tr_id)(tr_id, payload, None, day)]
    return [event_for(tr_id, record, day) for record in split_records(tr_id, payload, frame.count)]


# ------------------------------------------------------------------------------------------ subscriptions


class ServerState(Enum):
    """Where a registration stands on the current connection."""

    SUBSCRIBING = "subscribing"
    SUBSCRIBED = "subscribed"
    UNSUBSCRIBING = "unsubscribing"


@dataclass(frozen=True, slots=True)
class SubscribeCommand:
    """Send a register (``register=True``) or release message for ``tr``."""

    tr: KisWebsocketTR
    register: bool


@dataclass(slots=True)
class Subscriptions:
    """What should be registered (reference counted) against what the server has, on one session.

    - :meth:`add` / :meth:`remove` change the wanted set and return the messages to send now (none while
      disconnected: :meth:`connected` sends them all on the next connection).
    - The server's state follows the replies (:meth:`on_reply`); a release and a register of the same
      (TR, key) never cross: the later one waits for the earlier reply. Nothing is ever sent twice.
    - :meth:`add` raises :class:`KisSubscriptionLimitError` for a new registration past ``limit`` before
      anything changes.
    """

    limit: int = MAX_SUBSCRIPTIONS
    environment: Environment | None = None
    wanted: dict[KisWebsocketTR, int] = field(default_factory=dict)
    server: dict[KisWebsocketTR, ServerState] = field(default_factory=dict)
    ciphers: dict[str, Cipher] = field(default_factory=dict)
    refused: dict[KisWebsocketTR, ControlReply] = field(default_factory=dict)
    is_connected: bool = False

    def add(self, tr: KisWebsocketTR) -> list[SubscribeCommand]:
        """One more reference to ``tr``."""
        count = self.wanted.get(tr, 0)
        if count == 0 and len(self.wanted) >= self.limit:
            raise KisSubscriptionLimitError(tr, self.limit, self.environment)
        self.wanted[tr] = count + 1
        if count:
            return []
        self.refused.pop(tr, None)
        return self._converge(tr)

    def remove(self, tr: KisWebsocketTR) -> list[SubscribeCommand]:
        """One reference to ``tr`` fewer; the last one releases the registration."""
        count = self.wanted.get(tr, 0)
        if count == 0:
            return []
        if count > 1:
            self.wanted[tr] = count - 1
            return []
        del self.wanted[tr]
        self.refused.pop(tr, None)
        return self._converge(tr)

    def _converge(self, tr: KisWebsocketTR) -> list[SubscribeCommand]:
        if not self.is_connected:
            return []
        state = self.server.get(tr)
        if tr in self.wanted:
            if state is None and tr not in self.refused:
                self.server[tr] = ServerState.SUBSCRIBING
                return [SubscribeCommand(tr, True)]
            return []  # registered or on its way; or a release is in flight and on_reply re-registers
        if state is ServerState.SUBSCRIBING or state is ServerState.SUBSCRIBED:
            self.server[tr] = ServerState.UNSUBSCRIBING
            return [SubscribeCommand(tr, False)]
        return []

    def connected(self) -> list[SubscribeCommand]:
        """A new connection is open: register everything wanted (the server starts empty)."""
        self.is_connected = True
        self.server.clear()
        self.ciphers.clear()
        self.refused.clear()
        commands = []
        for tr in sorted(self.wanted):
            self.server[tr] = ServerState.SUBSCRIBING
            commands.append(SubscribeCommand(tr, True))
        return commands

    def disconnected(self) -> None:
        """The connection is gone, and every registration with it."""
        self.is_connected = False
        self.server.clear()
        self.ciphers.clear()

    def on_reply(self, reply: ControlReply) -> list[SubscribeCommand]:
        """Follow a control reply; returns what to send next."""
        tr = reply.tr
        kind = reply.kind
        state = self.server.get(tr)
        if reply.key and reply.iv:
            self.ciphers[tr.id] = Cipher(reply.key, reply.iv)
        if kind is ReplyKind.SUBSCRIBED or kind is ReplyKind.ALREADY:
            if state is ServerState.SUBSCRIBING:
                self.server[tr] = ServerState.SUBSCRIBED
            elif state is None:
                self.server[tr] = ServerState.SUBSCRIBED
                return self._converge(tr)
            return []
        if kind is ReplyKind.UNSUBSCRIBED or kind is ReplyKind.UNSUBSCRIBE_ERROR:
            if state is ServerState.UNSUBSCRIBING:
                del self.server[tr]
                return self._converge(tr)
            return []
        # A refusal: the server holds nothing for tr; do not retry it on this connection.
        if state is not None:
            del self.server[tr]
        if tr in self.wanted:
            self.refused[tr] = reply
        return []

    def cipher(self, tr_id: str) -> Cipher | None:
        """The key and IV of an encrypted TR, once its subscribe reply arrived."""
        return self.ciphers.get(tr_id)

    @property
    def confirmed(self) -> frozenset[KisWebsocketTR]:
        """Registrations the server confirmed on the current connection."""
        return frozenset(tr for tr, state in self.server.items() if state is ServerState.SUBSCRIBED)

    @property
    def pending(self) -> frozenset[KisWebsocketTR]:
        """Registrations sent but not answered yet."""
        return frozenset(tr for tr, state in self.server.items() if state is ServerState.SUBSCRIBING)


# --------------------------------------------------------------------------------------------- liveness


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """The bound on silence: KIS sends PINGPONG periodically, so a connection with no PINGPONG and no data
    for ``timeout`` seconds is dead even if TCP has not noticed."""

    timeout: float = 45.0

    def deadline(self, last_seen: float) -> float:
        """When the connection counts as dead, given the time anything last arrived."""
        return last_seen + self.timeout

    def remaining(self, now: float, last_seen: float) -> float:
        """Seconds left before the deadline (≤ 0: expired)."""
        return last_seen + self.timeout - now

    def expired(self, now: float, last_seen: float) -> bool:
        """Whether the bound has passed."""
        return now - last_seen >= self.timeout


@dataclass(frozen=True, slots=True)
class ReconnectPolicy:
    """Jittered exponential backoff between reconnection attempts; ``attempts=None`` retries forever
    (a realtime feed should come back after any outage), a number stops after that many failures in a row."""

    initial: float = 0.5
    factor: float = 2.0
    maximum: float = 30.0
    attempts: int | None = None

    def delays(self, rng: random.Random | None = None) -> Iterator[float]:
        """The delays before attempts 1, 2, …"""
        return backoff(self.initial, self.factor, self.maximum, rng)

    def gives_up(self, failures: int) -> bool:
        """Whether ``failures`` consecutive failed attempts exhaust the policy."""
        return self.attempts is not None and failures >= self.attempts


def reconnect_delays(policy: ReconnectPolicy, rng: random.Random | None = None) -> Iterator[float]:
    """Alias of :meth:`ReconnectPolicy.delays`."""
    return policy.delays(rng)

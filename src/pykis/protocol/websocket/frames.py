"""What the server sends, classified: control replies, PINGPONG heartbeats, data frames, and the rest.

PROTOCOL.md §5. Control replies and heartbeats are JSON (``{"header": {"tr_id": "PINGPONG", …}}`` is echoed
back); data frames are ``<flag>|<TR_ID>|<COUNT>|<payload>``, whose payload holds COUNT records of N
``^``-separated fields (flag 1: the payload is base64 AES-256-CBC with the TR's key and IV). Records are
returned as text: typed events are the driver layer's (:func:`pykis.drivers.websocket_handlers.decode_frame`).
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Any

import msgspec

from pykis.errors import KisRealtimeDecodeError, KisSubscriptionError
from pykis.protocol.websocket.cipher import Cipher, decrypt
from pykis.protocol.websocket.registrations import KisWebsocketTR

__all__ = [
    "ControlReply",
    "DataFrame",
    "Malformed",
    "Message",
    "PingPong",
    "ReplyKind",
    "frame_payload",
    "parse_message",
    "split_records",
]


class ReplyKind(Enum):
    """What a control reply says."""

    SUBSCRIBED = "SUBSCRIBE SUCCESS"
    ALREADY = "ALREADY IN SUBSCRIBE"
    UNSUBSCRIBED = "UNSUBSCRIBE SUCCESS"
    UNSUBSCRIBE_ERROR = "UNSUBSCRIBE ERROR"
    LIMIT = "MAX SUBSCRIBE OVER"
    INVALID_KEY = "invalid approval key"
    ERROR = "error"


class ControlReply(msgspec.Struct, frozen=True):
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


class PingPong(msgspec.Struct, frozen=True):
    """A server heartbeat; send ``text`` straight back."""

    text: str


class DataFrame(msgspec.Struct):
    """``<flag>|<TR_ID>|<COUNT>|<payload>``: COUNT records of ``tr_id``; ``encrypted`` when flag is 1.

    Not frozen: one is built per frame on the hot path, and a frozen dataclass's ``__init__`` costs 3×.
    """

    encrypted: bool
    tr_id: str
    count: int
    payload: str


class Malformed(msgspec.Struct, frozen=True):
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
        if count == "001":  # nearly every frame: one record
            return DataFrame(head == "1|", parts[1], 1, parts[3])
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


def frame_payload(frame: DataFrame, cipher: Cipher | None) -> str:
    """The frame's records as text, decrypted when the frame is encrypted. Raises
    :class:`KisRealtimeDecodeError` for an encrypted frame without a key, or one that does not decrypt."""
    if not frame.encrypted:
        return frame.payload
    if cipher is None:
        raise KisRealtimeDecodeError("encrypted frame before its subscribe reply gave a key", tr_id=frame.tr_id)
    return decrypt(frame.payload, cipher, frame.tr_id)


def split_records(tr_id: str, payload: str, count: int, min_width: int = 1) -> list[str]:
    """The COUNT records of a payload, each as its own ``^``-joined text.

    The record width N is total fields / COUNT, so records wider than the layout we know (fields the server
    added) split correctly; a total not divisible by COUNT, or N narrower than ``min_width`` (the caller passes
    the oldest known layout of ``tr_id``), raises :class:`KisRealtimeDecodeError`.
    """
    if count == 1:
        # The common case: no split needed, just check the width.
        if payload.count("^") + 1 < min_width:
            raise KisRealtimeDecodeError(f"record narrower than {min_width} fields", tr_id=tr_id)
        return [payload]
    fields = payload.split("^")
    total = len(fields)
    width, rest = divmod(total, count)
    if rest or width < min_width:
        raise KisRealtimeDecodeError(f"{total} fields do not make {count} records of ≥{min_width}", tr_id=tr_id)
    join = "^".join
    return [join(fields[start : start + width]) for start in range(0, total, width)]

"""Wire formatting: every value the real service sends is a string (``"71000"``, ``"-3.79"``, ``"20240105"``)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from hashlib import blake2b
from typing import Any
from zoneinfo import ZoneInfo

__all__ = [
    "KST",
    "day_of",
    "dec",
    "fmt_date",
    "fmt_fixed",
    "fmt_int",
    "fmt_rate",
    "pct",
    "sign_code",
]

KST = ZoneInfo("Asia/Seoul")
Number = Decimal | int | float | None


def dec(value: Number) -> Decimal:
    """Any number (or ``None``) as a Decimal; ``None`` is zero."""
    if value is None:
        return Decimal(0)
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def fmt_int(value: Number) -> str:
    """An integer string, rounded half up: ``Decimal("71000.0")`` → ``"71000"``, negatives keep ``-``."""
    return str(int(dec(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def fmt_fixed(value: Number, places: int) -> str:
    """A fixed-point string with ``places`` decimals (``"131.2800"``); never exponent notation."""
    quantum = Decimal(1).scaleb(-places) if places > 0 else Decimal(1)
    return f"{dec(value).quantize(quantum, rounding=ROUND_HALF_UP):f}"


def fmt_rate(value: Number) -> str:
    """A percentage with two decimals: ``"-3.79"``, ``"0.00"``."""
    text = fmt_fixed(value, 2)
    return "0.00" if text == "-0.00" else text


def pct(part: Number, whole: Number) -> Decimal:
    """``part / whole * 100``; zero when ``whole`` is zero."""
    denominator = dec(whole)
    if denominator == 0:
        return Decimal(0)
    return dec(part) * 100 / denominator


def sign_code(price: Number, base: Number, upper: Number = None, lower: Number = None) -> str:
    """전일 대비 부호: 1 upper limit, 2 up, 3 unchanged, 4 lower limit, 5 down."""
    p, b = dec(price), dec(base)
    if upper is not None and dec(upper) > 0 and p >= dec(upper) and p > b:
        return "1"
    if lower is not None and dec(lower) > 0 and p <= dec(lower) and p < b:
        return "4"
    if p > b:
        return "2"
    if p < b:
        return "5"
    return "3"


def day_of(value: date | datetime, tz: ZoneInfo = KST) -> date:
    """The calendar day of a bar or quote time (aware datetimes are read in ``tz``)."""
    if isinstance(value, datetime):
        return value.astimezone(tz).date() if value.tzinfo is not None else value.date()
    return value


def fmt_date(value: date | datetime | None, tz: ZoneInfo = KST) -> str:
    """``YYYYMMDD`` (empty for ``None``)."""
    if value is None:
        return ""
    return day_of(value, tz).strftime("%Y%m%d")


def fmt_zero(value: Any) -> str:
    """A whole number, ``0`` for ``None``."""
    return "0" if value is None else fmt_int(value)


def parse_hhmmss(text: str) -> time | None:
    """A request's ``HHMMSS`` field, ``None`` when it is not a time of day."""
    text = text.strip()
    if len(text) != 6 or not text.isdigit():
        return None
    hour, minute, second = int(text[:2]), int(text[2:4]), int(text[4:])
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def strptime_yyyymmdd(text: str) -> date | None:
    """A request's ``YYYYMMDD`` field as ``strptime`` reads it (unpadded fields pass), ``None`` if no date.

    The market-data endpoints read dates so; the trading inquiries use the strict ``_trading.parse_yyyymmdd``.
    """
    try:
        return datetime.strptime(text.strip(), "%Y%m%d").date()
    except ValueError:
        return None


def hashed_unit(*parts: object) -> float:
    """A deterministic number in [0, 1) from ``parts`` (``hash()`` is salted per process)."""
    digest = blake2b(":".join(str(part) for part in parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64

"""KIS order types (ORD_DVSN) and how each prices and when it may be entered, plus the regular close."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pykis.emulator.engine.records import Order
from pykis.emulator.instruments import Instrument
from pykis.emulator.market import Market

SEOUL = ZoneInfo("Asia/Seoul")

DOMESTIC_TYPES = {
    # ORD_DVSN: (pricing, tif, sessions); pricing: limit | market | best | priority | mid | prev_close | close
    "00": ("limit", "day", "regular"),
    "01": ("market", "day", "regular"),
    "03": ("best", "day", "regular"),
    "04": ("priority", "day", "regular"),
    "05": ("prev_close", "day", "pre"),
    "06": ("close", "day", "post"),
    "07": ("single", "day", "single"),
    "11": ("limit", "ioc", "regular"),
    "12": ("limit", "fok", "regular"),
    "13": ("market", "ioc", "regular"),
    "14": ("market", "fok", "regular"),
    "15": ("best", "ioc", "regular"),
    "16": ("best", "fok", "regular"),
    "21": ("mid", "day", "regular"),
    # NXT pre-market GTP types (PROTOCOL §15), unfilled rest cancelled at the pre-market's end.
    "27": ("limit", "day", "pre"),
    "28": ("best", "day", "pre"),
    "29": ("priority", "day", "pre"),
    "23": ("mid", "ioc", "regular"),
    "24": ("mid", "fok", "regular"),
    "41": ("limit", "day", "after_market"),
    "42": ("limit", "ioc", "after_market"),
    "43": ("limit", "fok", "after_market"),
    "44": ("best", "day", "after_market"),
    "45": ("best", "ioc", "after_market"),
    "46": ("best", "fok", "after_market"),
    "47": ("priority", "day", "after_market"),
}
US_TYPES = {
    "00": "limit",
    "31": "moo",
    "32": "loo",
    "33": "moc",
    "34": "loc",
    "35": "twap",
    "36": "vwap",
}
US_SELL_ONLY = {"31", "33"}  # PROTOCOL §10: US buys accept 00/32/34 (plus the algorithmic 35/36)
PRICED = {"limit", "single", "loo", "loc"}
# Sessions a domestic order type may be entered in, by the session its type names (outside always-open mode).
DOMESTIC_ENTRY = {
    "regular": {"regular", "opening_auction", "pre"},
    "pre": {"pre"},
    "post": {"post"},
    "single": {"after_market"},
    "after_market": {"after_market"},
}
# When a domestic day order's rest expires, by the session its type names (KST hour, minute).
DOMESTIC_EXPIRY = {
    "regular": (15, 30),
    "pre": (8, 40),
    "post": (16, 0),
    "single": (18, 0),
    "after_market": (20, 0),
}


def kst_at(day: date, hour: int, minute: int, zone: ZoneInfo = SEOUL) -> datetime:
    """``hour:minute`` of ``day`` in ``zone`` (Korea by default), as UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def pricing_of(instrument: Instrument, order: Order) -> str:
    """How ``order`` prices: ``limit``, ``market``, ``best``, ``moo``, ``twap``, … (see the tables)."""
    if instrument.domestic:
        return DOMESTIC_TYPES[order.ord_dvsn][0]
    if instrument.us:
        return US_TYPES[order.ord_dvsn]
    return "limit"


def regular_close(market: Market, instrument: Instrument, day: date) -> datetime | None:
    """End of ``day``'s regular session (local), found by scanning the session table minute by minute."""
    zone = instrument.timezone
    last = None
    probe = datetime.combine(day, time(0), tzinfo=zone)
    for minute in range(0, 24 * 60, 5):
        at = probe + timedelta(minutes=minute)
        if market.session(instrument.market, at) == "regular":
            last = at
    return None if last is None else (last + timedelta(minutes=5)).astimezone(UTC)

"""What to register on KIS's WebSocket and how to say it: the (TR, key) pair, its builders, the JSON message.

PROTOCOL.md §5, §9, §15. The client sends a JSON register (``tr_type`` 1) or release (``tr_type`` 2) message
carrying the approval key; market data is keyed by symbol (domestic) or ``D``/``R`` + EXCD + symbol
(overseas), execution notices by the HTS ID.
"""

from __future__ import annotations

import json
from typing import Literal

import msgspec

from pykis.errors import KisValidationError
from pykis.protocol.env import Environment

__all__ = [
    "MAX_SUBSCRIPTIONS",
    "NOTICE_TRS",
    "KisWebsocketTR",
    "environment_of",
    "execution_tr",
    "is_notice_tr",
    "orderbook_tr",
    "price_tr",
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


class KisWebsocketTR(msgspec.Struct, frozen=True, order=True):
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

"""Realtime events: one small object per record of a realtime (WebSocket) data frame.

Decoding is a hot path (thousands of records a second), so an event keeps the record's raw ``^``-joined
text and nothing else; every property parses its one field when read. Nobody pays for the 40 fields they
never look at, and a retained event costs its text plus a few pointers (``bench/realtime_decode.py``).
Properties are recomputed on each read: bind a value to a local name when reading it in a loop.

Fields are positional (PROTOCOL.md §5, ``websocket.json``). The server appends fields over time
(PROTOCOL.md §15: H0STCNT0 46 → 47, H0STASP0 59 → 63), so a record may be wider than the layout a model was
written for; extra trailing fields are ignored, and fields that newer layouts added read as ``None`` on
older records. Unknown TRs decode to :class:`KisRealtimeRecord`, which offers access by column name.

=================  ==========================================  ====================================
Model              TRs                                         KIS name
=================  ==========================================  ====================================
Domestic price     H0STCNT0 (KRX), H0NXCNT0 (NXT), H0UNCNT0    국내주식 실시간체결가
Domestic book      H0STASP0 (KRX), H0NXASP0 (NXT), H0UNASP0    국내주식 실시간호가
Foreign price      HDFSCNT0                                    해외주식 실시간지연체결가
Foreign book       HDFSASP0, HDFSASP1                          해외주식 실시간호가 / 지연호가(아시아)
Domestic notice    H0STCNI0 (real), H0STCNI9 (virtual)         국내주식 실시간체결통보
Foreign notice     H0GSCNI0 (real), H0GSCNI9 (virtual)         해외주식 실시간체결통보
=================  ==========================================  ====================================
"""

from __future__ import annotations

from datetime import date, datetime, time, tzinfo
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

__all__ = [
    "EVENT_TYPES",
    "MIN_WIDTHS",
    "RSYM_TRS",
    "KisDomesticRealtimeExecution",
    "KisDomesticRealtimeOrderbook",
    "KisDomesticRealtimePrice",
    "KisForeignRealtimeExecution",
    "KisForeignRealtimeOrderbook",
    "KisForeignRealtimePrice",
    "KisRealtimeEvent",
    "KisRealtimeExecution",
    "KisRealtimeLevel",
    "KisRealtimeOrderbook",
    "KisRealtimePrice",
    "KisRealtimeRecord",
    "event_for",
    "event_type",
]

KST = ZoneInfo("Asia/Seoul")
_NY = ZoneInfo("America/New_York")

# EXCD (PROTOCOL.md §9) → (market name as python-kis spelled it, time zone of its local times).
_EXCHANGES: dict[str, tuple[str, tzinfo]] = {
    "NAS": ("NASDAQ", _NY),
    "NYS": ("NYSE", _NY),
    "AMS": ("AMEX", _NY),
    "BAQ": ("NASDAQ", _NY),  # US daytime (주간거래) session: the same listings, traded from Seoul's daytime
    "BAY": ("NYSE", _NY),
    "BAA": ("AMEX", _NY),
    "HKS": ("HKEX", ZoneInfo("Asia/Hong_Kong")),
    "TSE": ("TYO", ZoneInfo("Asia/Tokyo")),
    "SHS": ("SSE", ZoneInfo("Asia/Shanghai")),
    "SZS": ("SZSE", ZoneInfo("Asia/Shanghai")),
    "HNX": ("HNX", ZoneInfo("Asia/Ho_Chi_Minh")),
    "HSX": ("HSX", ZoneInfo("Asia/Ho_Chi_Minh")),
}

_DOMESTIC_MARKETS = {"ST": "KRX", "NX": "NXT", "UN": "UN"}

Side = Literal["buy", "sell"]


def _dec(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        return Decimal(0) if not text.strip() else Decimal("NaN")


def _dec_or_none(text: str) -> Decimal | None:
    if not text or not text.strip():
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        try:
            return int(Decimal(text))
        except (InvalidOperation, ValueError, OverflowError):
            return 0


def _signed(value: Decimal, sign: str) -> Decimal:
    # 전일대비부호: 1 상한, 2 상승, 3 보합, 4 하한, 5 하락. Some feeds send the change unsigned.
    if sign in ("4", "5") and value > 0:
        return -value
    return value


def _plain(value: object) -> str:
    if isinstance(value, Decimal):
        text = format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text or "0"
    if isinstance(value, datetime):
        return repr(value.isoformat())
    return repr(value)


def _at(day: date | None, hhmmss: str, zone: tzinfo) -> datetime | None:
    if day is None or len(hhmmss) < 6 or not hhmmss[:6].isdigit():
        return None
    hour, minute, second = int(hhmmss[:2]), int(hhmmss[2:4]), int(hhmmss[4:6])
    if hour > 23 or minute > 59 or second > 59:
        return None
    return datetime.combine(day, time(hour, minute, second), zone)


def _ymd(text: str) -> date | None:
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


class KisRealtimeLevel(NamedTuple):
    """One order-book level: price and the quantity resting there."""

    price: Decimal
    qty: int


def _model_name(event: object) -> str:
    """The name of the hand-written model an event is (the generated per-TR types of :mod:`pykis.api.realtime`
    subclass them and keep their repr)."""
    for cls in type(event).__mro__:
        if cls.__module__ == __name__:
            return cls.__name__
    return type(event).__name__


class KisRealtimeEvent:
    """One record of a realtime frame: the raw text, parsed field by field on access.

    ``tr_id`` names the TR the record came from; ``raw`` is the record's ``^``-joined text;
    ``fields`` splits it (a new list per call); :meth:`field` reads a column by its ``websocket.json`` name.
    """

    __slots__ = ("_d", "_k", "_r", "_t")
    _r: str
    _t: str
    _k: str | None
    _d: date | None

    def __init__(self, tr_id: str, raw: str, key: str | None = None, day: date | None = None) -> None:
        self._t = tr_id
        self._r = raw
        self._k = key
        self._d = day

    @property
    def tr_id(self) -> str:
        """The TR ID of the frame this record came in (e.g. ``H0STCNT0``)."""
        return self._t

    @property
    def raw(self) -> str:
        """The record's fields joined by ``^``, exactly as received (after decryption)."""
        return self._r

    @property
    def fields(self) -> list[str]:
        """All fields of the record, as strings."""
        return self._r.split("^")

    @property
    def width(self) -> int:
        """How many fields the record has."""
        return self._r.count("^") + 1

    def _f(self, index: int) -> str:
        parts = self._r.split("^", index + 1)
        return parts[index] if index < len(parts) else ""

    def field(self, name: str) -> str | None:
        """The value of column ``name`` (as named in ``websocket.json``), or ``None`` if absent."""
        index = _columns(self._t).get(name.upper())
        if index is None:
            return None
        parts = self._r.split("^", index + 1)
        return parts[index] if index < len(parts) else None

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, KisRealtimeEvent)
        return self._t == other._t and self._r == other._r

    def __hash__(self) -> int:
        return hash((self._t, self._r))

    __repr_fields__: tuple[str, ...] = ()

    def __repr__(self) -> str:
        parts = ", ".join(f"{name}={_plain(getattr(self, name))}" for name in self.__repr_fields__)
        return f"{_model_name(self)}({parts})"


class KisRealtimeRecord(KisRealtimeEvent):
    """A record of a TR without a dedicated model: read it with :meth:`field` or :attr:`fields`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(tr_id={self._t!r}, raw={self._r[:60]!r}{'…' if len(self._r) > 60 else ''})"


# -------------------------------------------------------------------------------------------------- prices


class KisRealtimePrice(KisRealtimeEvent):
    """A trade tick of any market. Money is ``Decimal``; volumes are ``int``."""

    __slots__ = ()
    __repr_fields__ = ("market", "symbol", "time", "price", "change", "volume", "amount")

    @property
    def market(self) -> str:
        """``KRX``, ``NXT``, ``UN`` (integrated KRX+NXT), or an overseas market (``NASDAQ``, ``NYSE``, …)."""
        raise NotImplementedError

    @property
    def symbol(self) -> str:
        """The symbol (``000660``, ``AAPL``)."""
        raise NotImplementedError

    @property
    def time(self) -> datetime | None:
        """When the trade happened, tz-aware in the market's zone."""
        raise NotImplementedError

    @property
    def price(self) -> Decimal:
        """The traded (current) price."""
        raise NotImplementedError

    @property
    def change(self) -> Decimal:
        """Change against the previous close, signed."""
        raise NotImplementedError

    @property
    def rate(self) -> Decimal:
        """Change against the previous close in percent, signed."""
        raise NotImplementedError

    @property
    def open(self) -> Decimal:
        """Today's open."""
        raise NotImplementedError

    @property
    def high(self) -> Decimal:
        """Today's high."""
        raise NotImplementedError

    @property
    def low(self) -> Decimal:
        """Today's low."""
        raise NotImplementedError

    @property
    def qty(self) -> int:
        """This trade's quantity."""
        raise NotImplementedError

    @property
    def volume(self) -> int:
        """Accumulated volume of the day."""
        raise NotImplementedError

    @property
    def amount(self) -> Decimal:
        """Accumulated traded value of the day."""
        raise NotImplementedError

    @property
    def ask(self) -> Decimal:
        """Best ask."""
        raise NotImplementedError

    @property
    def bid(self) -> Decimal:
        """Best bid."""
        raise NotImplementedError


class KisDomesticRealtimePrice(KisRealtimePrice):
    """``H0STCNT0`` 국내주식 실시간체결가 (KRX), ``H0NXCNT0`` (NXT), ``H0UNCNT0`` (통합): 46 fields, 47 since
    2026-09-14 (trailing ``MARKET_CLS_CODE``)."""

    __slots__ = ()

    @property
    def market(self) -> str:
        return _DOMESTIC_MARKETS.get(self._t[2:4], "KRX")

    @property
    def symbol(self) -> str:
        """``MKSC_SHRN_ISCD`` 유가증권 단축 종목코드."""
        return self._r[: self._r.find("^")]

    @property
    def time(self) -> datetime | None:
        """``BSOP_DATE`` + ``STCK_CNTG_HOUR``, Asia/Seoul."""
        parts = self._r.split("^", 34)
        if len(parts) < 34:
            return None
        return _at(_ymd(parts[33]), parts[1], KST)

    @property
    def price(self) -> Decimal:
        """``STCK_PRPR`` 주식 현재가."""
        return _dec(self._r.split("^", 3)[2])

    @property
    def sign(self) -> str:
        """``PRDY_VRSS_SIGN``: 1 상한, 2 상승, 3 보합, 4 하한, 5 하락."""
        return self._f(3)

    @property
    def change(self) -> Decimal:
        """``PRDY_VRSS`` 전일 대비, signed."""
        parts = self._r.split("^", 5)
        return _signed(_dec(parts[4]), parts[3])

    @property
    def rate(self) -> Decimal:
        """``PRDY_CTRT`` 전일 대비율 (%)."""
        parts = self._r.split("^", 6)
        return _signed(_dec(parts[5]), parts[3])

    @property
    def average(self) -> Decimal:
        """``WGHN_AVRG_STCK_PRC`` 가중 평균 주식 가격."""
        return _dec(self._f(6))

    @property
    def open(self) -> Decimal:
        """``STCK_OPRC``."""
        return _dec(self._f(7))

    @property
    def high(self) -> Decimal:
        """``STCK_HGPR``."""
        return _dec(self._f(8))

    @property
    def low(self) -> Decimal:
        """``STCK_LWPR``."""
        return _dec(self._f(9))

    @property
    def ask(self) -> Decimal:
        """``ASKP1`` 매도호가1."""
        return _dec(self._f(10))

    @property
    def bid(self) -> Decimal:
        """``BIDP1`` 매수호가1."""
        return _dec(self._f(11))

    @property
    def qty(self) -> int:
        """``CNTG_VOL`` 체결 거래량."""
        return _int(self._f(12))

    @property
    def volume(self) -> int:
        """``ACML_VOL`` 누적 거래량."""
        return _int(self._f(13))

    @property
    def amount(self) -> Decimal:
        """``ACML_TR_PBMN`` 누적 거래 대금."""
        return _dec(self._f(14))

    @property
    def strength(self) -> Decimal:
        """``CTTR`` 체결강도."""
        return _dec(self._f(18))

    @property
    def side(self) -> Side | None:
        """``CCLD_DVSN``/``CNTG_CLS_CODE`` 체결구분: 1 buy-initiated, 5 sell-initiated."""
        code = self._f(21)
        return "buy" if code == "1" else "sell" if code == "5" else None

    @property
    def halted(self) -> bool:
        """``TRHT_YN`` 거래정지 여부."""
        return self._f(35) == "Y"

    @property
    def ask_qty(self) -> int:
        """``ASKP_RSQN1`` 매도호가 잔량1."""
        return _int(self._f(36))

    @property
    def bid_qty(self) -> int:
        """``BIDP_RSQN1`` 매수호가 잔량1."""
        return _int(self._f(37))

    @property
    def session(self) -> str | None:
        """``MARKET_CLS_CODE`` (47-field layout, since 2026-09-14): 1 pre, 2 regular, 3 after, 5 closing;
        ``None`` on 46-field records."""
        parts = self._r.split("^", 47)
        return parts[46] if len(parts) > 46 else None


class KisForeignRealtimePrice(KisRealtimePrice):
    """``HDFSCNT0`` 해외주식 실시간지연체결가 (key ``D``+EXCD+symbol, or ``R``+BAQ/BAY/BAA+symbol for the US daytime
    session). Records that start with the realtime key (``RSYM``), as some feeds send, are accepted too."""

    __slots__ = ()
    __repr_fields__ = ("market", "symbol", "time", "price", "change", "volume", "amount")

    @property
    def key(self) -> str | None:
        """The realtime key (``DNASAAPL``) the record belongs to, when known."""
        return self._k

    @property
    def exchange(self) -> str | None:
        """The EXCD of the key (``NAS``, ``BAQ``, ``HKS``, …)."""
        return self._k[1:4] if self._k and len(self._k) > 4 else None

    @property
    def daytime(self) -> bool:
        """Whether the record comes from the US daytime session feed (key prefix ``R``)."""
        return bool(self._k) and self._k is not None and self._k[:1] == "R"

    @property
    def market(self) -> str:
        exchange = self.exchange
        return _EXCHANGES[exchange][0] if exchange in _EXCHANGES else (exchange or "")

    @property
    def symbol(self) -> str:
        """``SYMB`` 종목코드."""
        return self._r[: self._r.find("^")]

    @property
    def decimals(self) -> int:
        """``ZDIV`` 소수점자리수."""
        return _int(self._f(1))

    @property
    def time(self) -> datetime | None:
        """``XYMD`` + ``XHMS`` in the exchange's zone; ``KYMD`` + ``KHMS`` (Asia/Seoul) if the exchange is unknown."""
        parts = self._r.split("^", 7)
        if len(parts) < 7:
            return None
        exchange = self.exchange
        if exchange in _EXCHANGES:
            return _at(_ymd(parts[3]), parts[4], _EXCHANGES[exchange][1])
        return self.korean_time

    @property
    def korean_time(self) -> datetime | None:
        """``KYMD`` + ``KHMS``, Asia/Seoul."""
        parts = self._r.split("^", 7)
        return _at(_ymd(parts[5]), parts[6], KST) if len(parts) >= 7 else None

    @property
    def open(self) -> Decimal:
        """``OPEN``."""
        return _dec(self._f(7))

    @property
    def high(self) -> Decimal:
        """``HIGH``."""
        return _dec(self._f(8))

    @property
    def low(self) -> Decimal:
        """``LOW``."""
        return _dec(self._f(9))

    @property
    def price(self) -> Decimal:
        """``LAST`` 현재가."""
        return _dec(self._f(10))

    @property
    def sign(self) -> str:
        """``SIGN`` 대비구분: 1 상한, 2 상승, 3 보합, 4 하한, 5 하락."""
        return self._f(11)

    @property
    def change(self) -> Decimal:
        """``DIFF`` 전일대비, signed."""
        parts = self._r.split("^", 13)
        return _signed(_dec(parts[12]), parts[11]) if len(parts) > 12 else Decimal(0)

    @property
    def rate(self) -> Decimal:
        """``RATE`` 등락율 (%), signed."""
        parts = self._r.split("^", 14)
        return _signed(_dec(parts[13]), parts[11]) if len(parts) > 13 else Decimal(0)

    @property
    def bid(self) -> Decimal:
        """``PBID`` 매수호가."""
        return _dec(self._f(14))

    @property
    def ask(self) -> Decimal:
        """``PASK`` 매도호가."""
        return _dec(self._f(15))

    @property
    def bid_qty(self) -> int:
        """``VBID`` 매수잔량."""
        return _int(self._f(16))

    @property
    def ask_qty(self) -> int:
        """``VASK`` 매도잔량."""
        return _int(self._f(17))

    @property
    def qty(self) -> int:
        """``EVOL`` 체결량."""
        return _int(self._f(18))

    @property
    def volume(self) -> int:
        """``TVOL`` 거래량."""
        return _int(self._f(19))

    @property
    def amount(self) -> Decimal:
        """``TAMT`` 거래대금."""
        return _dec(self._f(20))

    @property
    def strength(self) -> Decimal:
        """``STRN`` 체결강도."""
        return _dec(self._f(23))

    @property
    def session(self) -> str | None:
        """``MTYP`` 시장구분: 1 regular, 2 pre-market, 3 after-market."""
        return self._f(24) or None


# ----------------------------------------------------------------------------------------------- orderbooks


class KisRealtimeOrderbook(KisRealtimeEvent):
    """An order-book update of any market; ``asks``/``bids`` best level first."""

    __slots__ = ()
    __repr_fields__ = ("market", "symbol", "time", "ask", "bid")

    @property
    def market(self) -> str:
        """``KRX``, ``NXT``, ``UN`` or an overseas market."""
        raise NotImplementedError

    @property
    def symbol(self) -> str:
        """The symbol."""
        return self._r[: self._r.find("^")]

    @property
    def time(self) -> datetime | None:
        """When the book was taken, tz-aware in the market's zone."""
        raise NotImplementedError

    @property
    def asks(self) -> tuple[KisRealtimeLevel, ...]:
        """Ask levels, best (lowest) first."""
        raise NotImplementedError

    @property
    def bids(self) -> tuple[KisRealtimeLevel, ...]:
        """Bid levels, best (highest) first."""
        raise NotImplementedError

    @property
    def ask(self) -> KisRealtimeLevel | None:
        """The best ask level."""
        asks = self.asks
        return asks[0] if asks else None

    @property
    def bid(self) -> KisRealtimeLevel | None:
        """The best bid level."""
        bids = self.bids
        return bids[0] if bids else None

    def __repr__(self) -> str:
        ask, bid = self.ask, self.bid
        ask_text = f"{_plain(ask.price)}x{ask.qty}" if ask else "None"
        bid_text = f"{_plain(bid.price)}x{bid.qty}" if bid else "None"
        return (
            f"{_model_name(self)}(market={self.market!r}, symbol={self.symbol!r}, time={_plain(self.time)}, "
            f"ask={ask_text}, bid={bid_text})"
        )


class KisDomesticRealtimeOrderbook(KisRealtimeOrderbook):
    """``H0STASP0`` 국내주식 실시간호가 (KRX), ``H0NXASP0`` (NXT), ``H0UNASP0`` (통합): 10 levels a side.
    59 fields (63 for KRX since 2026-09-14: mid price, its quantity and side, ``MARKET_CLS_CODE``)."""

    __slots__ = ()

    @property
    def market(self) -> str:
        return _DOMESTIC_MARKETS.get(self._t[2:4], "KRX")

    @property
    def time(self) -> datetime | None:
        """``BSOP_HOUR`` on the day the frame arrived, Asia/Seoul."""
        return _at(self._d, self._f(1), KST)

    def _levels(self, price_at: int, qty_at: int) -> tuple[KisRealtimeLevel, ...]:
        fields = self._r.split("^", 44)
        if len(fields) < 43:
            return ()
        levels = []
        for i in range(10):
            price = _dec(fields[price_at + i])
            qty = _int(fields[qty_at + i])
            if price or qty:
                levels.append(KisRealtimeLevel(price, qty))
        return tuple(levels)

    @property
    def asks(self) -> tuple[KisRealtimeLevel, ...]:
        """``ASKP1..10`` with ``ASKP_RSQN1..10``."""
        return self._levels(3, 23)

    @property
    def bids(self) -> tuple[KisRealtimeLevel, ...]:
        """``BIDP1..10`` with ``BIDP_RSQN1..10``."""
        return self._levels(13, 33)

    @property
    def total_ask_qty(self) -> int:
        """``TOTAL_ASKP_RSQN`` 총 매도호가 잔량."""
        return _int(self._f(43))

    @property
    def total_bid_qty(self) -> int:
        """``TOTAL_BIDP_RSQN`` 총 매수호가 잔량."""
        return _int(self._f(44))

    @property
    def expected_price(self) -> Decimal:
        """``ANTC_CNPR`` 예상 체결가 (auction phases)."""
        return _dec(self._f(47))

    @property
    def expected_qty(self) -> int:
        """``ANTC_CNQN`` 예상 체결량."""
        return _int(self._f(48))

    @property
    def volume(self) -> int:
        """``ACML_VOL`` 누적 거래량."""
        return _int(self._f(53))

    @property
    def mid_price(self) -> Decimal | None:
        """``MID_PRC``/``KMID_PRC`` 중간가 (newer layouts only)."""
        parts = self._r.split("^", 60)
        return _dec_or_none(parts[59]) if len(parts) > 59 else None

    @property
    def session(self) -> str | None:
        """``MARKET_CLS_CODE`` of the 63-field KRX layout; ``None`` otherwise."""
        if self._t != "H0STASP0":
            return None
        parts = self._r.split("^", 63)
        return parts[62] if len(parts) > 62 else None


class KisForeignRealtimeOrderbook(KisRealtimeOrderbook):
    """``HDFSASP0`` 해외주식 실시간호가, ``HDFSASP1`` 지연호가(아시아): totals and 1 level (more levels if sent,
    6 fields each: ``PBIDn PASKn VBIDn VASKn DBIDn DASKn``)."""

    __slots__ = ()

    @property
    def key(self) -> str | None:
        """The realtime key the record belongs to, when known."""
        return self._k

    @property
    def exchange(self) -> str | None:
        """The EXCD of the key."""
        return self._k[1:4] if self._k and len(self._k) > 4 else None

    @property
    def market(self) -> str:
        exchange = self.exchange
        return _EXCHANGES[exchange][0] if exchange in _EXCHANGES else (exchange or "")

    @property
    def time(self) -> datetime | None:
        """``XYMD`` + ``XHMS`` in the exchange's zone (``KYMD`` + ``KHMS`` if unknown)."""
        parts = self._r.split("^", 6)
        if len(parts) < 6:
            return None
        exchange = self.exchange
        if exchange in _EXCHANGES:
            return _at(_ymd(parts[2]), parts[3], _EXCHANGES[exchange][1])
        return _at(_ymd(parts[4]), parts[5], KST)

    @property
    def total_bid_qty(self) -> int:
        """``BVOL`` 매수총잔량."""
        return _int(self._f(6))

    @property
    def total_ask_qty(self) -> int:
        """``AVOL`` 매도총잔량."""
        return _int(self._f(7))

    def _side(self, price_at: int, qty_at: int) -> tuple[KisRealtimeLevel, ...]:
        fields = self._r.split("^")
        levels = []
        for start in range(10, len(fields) - 5, 6):
            price, qty = _dec(fields[start + price_at]), _int(fields[start + qty_at])
            if price or qty:
                levels.append(KisRealtimeLevel(price, qty))
        return tuple(levels)

    @property
    def bids(self) -> tuple[KisRealtimeLevel, ...]:
        """``PBIDn`` with ``VBIDn``."""
        return self._side(0, 2)

    @property
    def asks(self) -> tuple[KisRealtimeLevel, ...]:
        """``PASKn`` with ``VASKn``."""
        return self._side(1, 3)


# ----------------------------------------------------------------------------------------------- executions


class KisRealtimeExecution(KisRealtimeEvent):
    """An execution notice (체결통보): an order acknowledgement (``is_ack``) or a fill (``is_fill``)."""

    __slots__ = ()
    __repr_fields__ = (
        "kind",
        "account",
        "order_number",
        "symbol",
        "side",
        "qty",
        "price",
        "filled_qty",
        "filled_price",
        "time",
    )
    # Positions of the fields after STCK_SHRN_ISCD differ between the domestic and overseas notices.
    _SYMBOL = 8
    _FILLED_QTY = 9
    _FILLED_PRICE = 10
    _TIME = 11
    _REJECTED = 12
    _FILL = 13
    _ACCEPT = 14
    _QTY = 16
    _NAME = 24

    @property
    def customer(self) -> str:
        """``CUST_ID`` 고객 ID (the HTS ID)."""
        return self._f(0)

    @property
    def account(self) -> str:
        """``ACNT_NO`` 계좌번호."""
        return self._f(1)

    @property
    def order_number(self) -> str:
        """``ODER_NO`` 주문번호."""
        return self._f(2)

    @property
    def original_order_number(self) -> str | None:
        """``OODER_NO`` 원주문번호 (modify/cancel), ``None`` for a new order."""
        value = self._f(3).strip()
        return value if value and value.strip("0") else None

    @property
    def side(self) -> Side:
        """``SELN_BYOV_CLS`` 매도매수구분: 01 sell, 02 buy."""
        return "sell" if self._f(4) == "01" else "buy"

    @property
    def correction(self) -> Literal["new", "modify", "cancel"]:
        """``RCTF_CLS`` 정정구분: 0 new, 1 modify, 2 cancel."""
        code = self._f(5)
        return "modify" if code == "1" else "cancel" if code == "2" else "new"

    @property
    def symbol(self) -> str:
        """``STCK_SHRN_ISCD`` 종목코드."""
        return self._f(self._SYMBOL)

    @property
    def is_fill(self) -> bool:
        """``CNTG_YN`` = 2: a fill notice."""
        return self._f(self._FILL) == "2"

    @property
    def is_ack(self) -> bool:
        """``CNTG_YN`` = 1: an order, modify, cancel or reject acknowledgement."""
        return self._f(self._FILL) != "2"

    @property
    def rejected(self) -> bool:
        """``RFUS_YN`` 거부여부 = 1."""
        return self._f(self._REJECTED) == "1"

    @property
    def kind(self) -> Literal["fill", "ack", "rejected"]:
        """``fill``, ``ack`` or ``rejected``."""
        if self.rejected:
            return "rejected"
        return "fill" if self.is_fill else "ack"

    @property
    def accepted(self) -> str:
        """``ACPT_YN`` 접수여부: 1 received, 2 confirmed, 3 cancelled (IOC/FOK)."""
        return self._f(self._ACCEPT)

    @property
    def qty(self) -> int:
        """``ODER_QTY`` 주문수량."""
        return _int(self._f(self._QTY))

    @property
    def filled_qty(self) -> int:
        """``CNTG_QTY`` 체결수량 of a fill; 0 for an acknowledgement."""
        return _int(self._f(self._FILLED_QTY)) if self.is_fill else 0

    @property
    def filled_price(self) -> Decimal | None:
        """``CNTG_UNPR`` 체결단가 of a fill; ``None`` for an acknowledgement."""
        return _dec_or_none(self._f(self._FILLED_PRICE)) if self.is_fill else None

    @property
    def price(self) -> Decimal | None:
        """The order price; ``None`` for market orders."""
        raise NotImplementedError

    @property
    def time(self) -> datetime | None:
        """``STCK_CNTG_HOUR`` on the day the notice arrived."""
        raise NotImplementedError


class KisDomesticRealtimeExecution(KisRealtimeExecution):
    """``H0STCNI0`` 국내주식 실시간체결통보 (real), ``H0STCNI9`` (virtual): AES-256-CBC encrypted, 26 fields
    (23 before 호가가격조건, 주문거래소구분 and 실시간체결창표시구분 were added after 계좌명)."""

    __slots__ = ()

    @property
    def market(self) -> str:
        """``ORD_EXG_GB`` 주문거래소 구분 (26-field layout): ``KRX``, ``NXT`` or ``SOR``."""
        if self.width < 26:
            return "KRX"
        code = self._f(19)
        return {"1": "KRX", "2": "NXT", "3": "SOR"}.get(code, "KRX")

    @property
    def name(self) -> str:
        """``CNTG_ISNM40`` 종목명."""
        return self._f(21 if self.width < 26 else 24).strip()

    @property
    def price(self) -> Decimal | None:
        """``ODER_PRC`` 주문가격; ``None`` when 0 or blank (market orders)."""
        value = _dec_or_none(self._f(22 if self.width < 26 else 25))
        return value if value else None

    @property
    def time(self) -> datetime | None:
        """``STCK_CNTG_HOUR`` on the day the notice arrived, Asia/Seoul."""
        return _at(self._d, self._f(11), KST)


class KisForeignRealtimeExecution(KisRealtimeExecution):
    """``H0GSCNI0`` 해외주식 실시간체결통보 (real), ``H0GSCNI9`` (virtual): AES-256-CBC encrypted, 25 fields."""

    __slots__ = ()
    _SYMBOL = 7
    _FILLED_QTY = 8
    _FILLED_PRICE = 9
    _TIME = 10
    _REJECTED = 11
    _FILL = 12
    _ACCEPT = 13
    _QTY = 15

    @property
    def name(self) -> str:
        """``CNTG_ISNM`` 체결종목명."""
        return self._f(17).strip()

    @property
    def filled_price(self) -> Decimal | None:
        """``CNTG_UNPR12`` (or ``CNTG_UNPR``) 체결단가 of a fill; ``None`` for an acknowledgement."""
        if not self.is_fill:
            return None
        precise = _dec_or_none(self._f(24))
        return precise if precise is not None else _dec_or_none(self._f(9))

    @property
    def price(self) -> Decimal | None:
        """The order price: the notice carries it in ``CNTG_UNPR`` of an acknowledgement; ``None`` for fills."""
        if self.is_fill:
            return None
        value = _dec_or_none(self._f(9))
        return value if value else None

    @property
    def time(self) -> datetime | None:
        """``STCK_CNTG_HOUR`` on the day the notice arrived, Asia/Seoul."""
        return _at(self._d, self._f(10), KST)


# --------------------------------------------------------------------------------------------- the registry

EVENT_TYPES: dict[str, type[KisRealtimeEvent]] = {
    "H0STCNT0": KisDomesticRealtimePrice,
    "H0NXCNT0": KisDomesticRealtimePrice,
    "H0UNCNT0": KisDomesticRealtimePrice,
    "H0STASP0": KisDomesticRealtimeOrderbook,
    "H0NXASP0": KisDomesticRealtimeOrderbook,
    "H0UNASP0": KisDomesticRealtimeOrderbook,
    "HDFSCNT0": KisForeignRealtimePrice,
    "HDFSASP0": KisForeignRealtimeOrderbook,
    "HDFSASP1": KisForeignRealtimeOrderbook,
    "H0STCNI0": KisDomesticRealtimeExecution,
    "H0STCNI9": KisDomesticRealtimeExecution,
    "H0GSCNI0": KisForeignRealtimeExecution,
    "H0GSCNI9": KisForeignRealtimeExecution,
}
"""The typed model of each TR; any other TR decodes to :class:`KisRealtimeRecord`."""

MIN_WIDTHS: dict[str, int] = {
    "H0STCNT0": 46,  # 47 since 2026-09-14 (PROTOCOL.md §15)
    "H0NXCNT0": 46,
    "H0UNCNT0": 46,
    "H0STASP0": 59,  # 63 since 2026-09-14
    "H0NXASP0": 59,  # the KRX layout plus mid-price fields
    "H0UNASP0": 59,
    "HDFSCNT0": 25,  # 26 where the realtime key (RSYM) leads
    "HDFSASP0": 16,
    "HDFSASP1": 16,
    "H0STCNI0": 23,  # 26 today (PROTOCOL.md §14)
    "H0STCNI9": 23,
    "H0GSCNI0": 18,  # the model reads fields 0..17; 25 today
    "H0GSCNI9": 18,
}
"""The narrowest record layout known per TR: a frame whose records are narrower is malformed. TRs not
listed accept any width."""

RSYM_TRS = frozenset({"HDFSCNT0", "HDFSASP0", "HDFSASP1"})
"""TRs whose records may lead with the realtime key (``RSYM``)."""


_KINDS: dict[str, type[KisRealtimeEvent]] = {}


def event_type(tr_id: str) -> type[KisRealtimeEvent]:
    """The event type records of ``tr_id`` decode to."""
    return _KINDS.get(tr_id) or _kind(tr_id)


def _kind(tr_id: str) -> type[KisRealtimeEvent]:
    """The event type of ``tr_id``: the generated per-TR type of :mod:`pykis.api.realtime` (a subclass of the
    hand-written model where there is one, else of :class:`KisRealtimeRecord`)."""
    from pykis.api._generated.realtime import EVENTS

    kind = EVENTS.get(tr_id) or EVENT_TYPES.get(tr_id, KisRealtimeRecord)
    _KINDS[tr_id] = kind
    return kind


def event_for(tr_id: str, raw: str, day: date | None = None) -> KisRealtimeEvent:
    """The typed event of one record of ``tr_id``."""
    kind = _KINDS.get(tr_id) or _kind(tr_id)
    if tr_id in RSYM_TRS:
        # A leading realtime key (RSYM, e.g. "DNASAAPL^AAPL^…"): keep it as the key, drop it from the record.
        cut = raw.find("^")
        second = raw.find("^", cut + 1)
        head = raw[:cut]
        if cut > 4 and second > 0 and head[4:] == raw[cut + 1 : second] and head[:1] in ("D", "R"):
            return kind(tr_id, raw[cut + 1 :], head, day)
    return kind(tr_id, raw, None, day)


@cache
def _columns(tr_id: str) -> dict[str, int]:
    from pykis.catalog import websocket_trs

    for entry in websocket_trs():
        if tr_id in (entry["tr_id"], entry.get("demo_tr_id")):
            return {str(name).upper(): i for i, name in enumerate(entry["columns"])}
    return {}

"""The market-data realtime models: trade ticks (prices) and order books, domestic and overseas.

Each typed field names the wire columns it reads (``websocket.json`` names; PROTOCOL.md §5 and §15); the
per-TR types of :mod:`pykis.models._realtime_events` supply the positions.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Literal

from pykis.exchanges.markets import zone
from pykis.models._realtime_base import (
    _MEMO_SIZE,
    _SAFE,
    KST,
    Field,
    KisRealtimeEvent,
    KisRealtimeLevel,
    _at,
    _dec,
    _dec_or_none,
    _int,
    _int_or_none,
    _model_name,
    _plain,
    _price,
    _text,
    _ymd,
    inline,
)

__all__ = [
    "KisDomesticRealtimeOrderbook",
    "KisDomesticRealtimePrice",
    "KisForeignRealtimeOrderbook",
    "KisForeignRealtimePrice",
    "KisRealtimeOrderbook",
    "KisRealtimePrice",
    "Side",
]

_NY = zone("America/New_York")

# EXCD (PROTOCOL.md §9) → (market name as python-kis spelled it, time zone of its local times).
_EXCHANGES: dict[str, tuple[str, tzinfo]] = {
    "NAS": ("NASDAQ", _NY),
    "NYS": ("NYSE", _NY),
    "AMS": ("AMEX", _NY),
    "BAQ": ("NASDAQ", _NY),  # US daytime (주간거래) session: the same listings, traded from Seoul's daytime
    "BAY": ("NYSE", _NY),
    "BAA": ("AMEX", _NY),
    "HKS": ("HKEX", zone("Asia/Hong_Kong")),
    "TSE": ("TYO", zone("Asia/Tokyo")),
    "SHS": ("SSE", zone("Asia/Shanghai")),
    "SZS": ("SZSE", zone("Asia/Shanghai")),
    "HNX": ("HNX", zone("Asia/Ho_Chi_Minh")),
    "HSX": ("HSX", zone("Asia/Ho_Chi_Minh")),
}

_DOMESTIC_MARKETS = {"ST": "KRX", "NX": "NXT", "UN": "UN"}

_EXPECTED_EXCHANGES = {"1": "KRX", "2": "NXT"}  # ANTC_EXCH_CLS_CODE (PROTOCOL.md §15)

Side = Literal["buy", "sell"]


# ------------------------------------------------------------------------------ column → value functions


def _optional(value: str) -> str | None:
    return value or None


@inline("{value} == 'Y'")
def _yes(value: str) -> bool:
    raise NotImplementedError  # the expression is the body


@inline("-{v} if ({v} := _price({value})) > 0 and {sign} in ('4', '5') else {v}", _price=_price)
def _signed(value: str, sign: str) -> Decimal:
    """``value`` signed by 전일대비부호 (1 상한, 2 상승, 3 보합, 4 하한, 5 하락): some feeds send it unsigned."""
    raise NotImplementedError  # the expression is the body


def _signed_safe(value: str, sign: str) -> Decimal:
    number = _dec(value)  # NaN for garbage, which does not compare: it stays NaN
    return -number if sign in ("4", "5") and not number.is_nan() and number > 0 else number


_SAFE[_signed] = _signed_safe


@inline("'buy' if ({v} := {code}) == '1' else 'sell' if {v} == '5' else None")
def _side(code: str) -> Side | None:
    raise NotImplementedError  # the expression is the body


@inline("_EXPECTED_EXCHANGES.get({code})", _EXPECTED_EXCHANGES=_EXPECTED_EXCHANGES)
def _expected_exchange(code: str) -> str | None:
    """``KRX`` or ``NXT`` for 예상체결 거래소 구분 ``1``/``2``; ``None`` for a layout without it."""
    raise NotImplementedError  # the expression is the body


def _domestic_market(tr_id: str) -> str:
    return _DOMESTIC_MARKETS.get(tr_id[2:4], "KRX")


def _seoul(day: str, hhmmss: str) -> datetime | None:
    return _at(_ymd(day), hhmmss, KST)


def _arrival(day: date | None, hhmmss: str) -> datetime | None:
    """``hhmmss`` on ``day``, the day the frame arrived (the event's ``_d``), Asia/Seoul."""
    return _at(day, hhmmss, KST)


@inline("{key}")
def _key(key: str | None) -> str | None:
    """The realtime key (the event's ``_k``) as a field."""
    raise NotImplementedError  # the expression is the body


def _exchange(key: str | None) -> str | None:
    return key[1:4] if key and len(key) > 4 else None


def _foreign_market(key: str | None) -> str:
    exchange = _exchange(key)
    return _EXCHANGES[exchange][0] if exchange in _EXCHANGES else (exchange or "")


def _daytime(key: str | None) -> bool:
    return key is not None and key[:1] == "R"


def _local(key: str | None, day: str, hhmmss: str, korean_day: str, korean_hhmmss: str) -> datetime | None:
    """The exchange's local time for a realtime ``key`` (the event's ``_k``); Seoul's if the exchange is unknown."""
    exchange = _exchange(key)
    if exchange in _EXCHANGES:
        return _at(_ymd(day), hhmmss, _EXCHANGES[exchange][1])
    return _at(_ymd(korean_day), korean_hhmmss, KST)


class _Levels(dict[tuple[str, str], KisRealtimeLevel | None]):
    """(price text, quantity text) → the level, remembered (``None`` for an empty one). An update of a book
    changes a few of its twenty levels: the others are the levels of the update before."""

    __slots__ = ()

    def __missing__(self, key: tuple[str, str]) -> KisRealtimeLevel | None:
        price, qty = _price(key[0]), int(key[1])  # raise on malformed text: the tolerant decoder takes over
        level = KisRealtimeLevel(price, qty) if price or qty else None
        if len(self) >= _MEMO_SIZE:
            self.clear()
        self[key] = level
        return level


_level = _Levels().__getitem__


@inline("tuple(filter(None, map(_level, zip({prices}, {qtys}, strict=True))))", _level=_level)
def _levels(prices: list[str], qtys: list[str]) -> tuple[KisRealtimeLevel, ...]:
    """Levels from ten prices and ten quantities; empty levels (price and quantity 0) are left out."""
    raise NotImplementedError  # the expression is the body


def _levels_safe(prices: list[str], qtys: list[str]) -> tuple[KisRealtimeLevel, ...]:
    levels = []
    for price_text, qty_text in zip(prices, qtys, strict=True):
        price, qty = _dec(price_text), _int(qty_text)
        if price or qty:
            levels.append(KisRealtimeLevel(price, qty))
    return tuple(levels)


_SAFE[_levels] = _levels_safe


def _ten(prefix: str) -> list[str]:
    return [f"{prefix}{level}" for level in range(1, 11)]


# -------------------------------------------------------------------------------------------------- prices


class KisRealtimePrice(KisRealtimeEvent):
    """A trade tick of any market. Money is ``Decimal``; volumes are ``int``."""

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

    market = Field(_domestic_market, context="_t", memo=True)
    """``KRX``, ``NXT`` or ``UN`` (the TR's feed)."""
    symbol = Field(_text, "MKSC_SHRN_ISCD")
    """``MKSC_SHRN_ISCD`` 유가증권 단축 종목코드."""
    time = Field(_seoul, "BSOP_DATE", "STCK_CNTG_HOUR", memo=True)
    """``BSOP_DATE`` + ``STCK_CNTG_HOUR``, Asia/Seoul."""
    price = Field(_price, "STCK_PRPR")
    """``STCK_PRPR`` 주식 현재가."""
    sign = Field(_text, "PRDY_VRSS_SIGN")
    """``PRDY_VRSS_SIGN``: 1 상한, 2 상승, 3 보합, 4 하한, 5 하락."""
    change = Field(_signed, "PRDY_VRSS", "PRDY_VRSS_SIGN")
    """``PRDY_VRSS`` 전일 대비, signed."""
    rate = Field(_signed, "PRDY_CTRT", "PRDY_VRSS_SIGN")
    """``PRDY_CTRT`` 전일 대비율 (%)."""
    average = Field(Decimal, "WGHN_AVRG_STCK_PRC")
    """``WGHN_AVRG_STCK_PRC`` 가중 평균 주식 가격."""
    open = Field(_price, "STCK_OPRC")
    """``STCK_OPRC``."""
    high = Field(_price, "STCK_HGPR")
    """``STCK_HGPR``."""
    low = Field(_price, "STCK_LWPR")
    """``STCK_LWPR``."""
    ask = Field(_price, "ASKP1")
    """``ASKP1`` 매도호가1."""
    bid = Field(_price, "BIDP1")
    """``BIDP1`` 매수호가1."""
    qty = Field(int, "CNTG_VOL")
    """``CNTG_VOL`` 체결 거래량."""
    volume = Field(int, "ACML_VOL")
    """``ACML_VOL`` 누적 거래량."""
    amount = Field(Decimal, "ACML_TR_PBMN")
    """``ACML_TR_PBMN`` 누적 거래 대금."""
    strength = Field(Decimal, "CTTR")
    """``CTTR`` 체결강도."""
    side = Field(_side, "CCLD_DVSN|CNTG_CLS_CODE")
    """``CCLD_DVSN`` (KRX) / ``CNTG_CLS_CODE`` (NXT, 통합) 체결구분: 1 buy-initiated, 5 sell-initiated."""
    halted = Field(_yes, "TRHT_YN")
    """``TRHT_YN`` 거래정지 여부."""
    ask_qty = Field(int, "ASKP_RSQN1")
    """``ASKP_RSQN1`` 매도호가 잔량1."""
    bid_qty = Field(int, "BIDP_RSQN1")
    """``BIDP_RSQN1`` 매수호가 잔량1."""
    session = Field(_optional, "MARKET_CLS_CODE", memo=True)
    """``MARKET_CLS_CODE`` (47-field layout, since 2026-09-14): 1 pre, 2 regular, 3 after, 5 closing;
    ``None`` on 46-field records."""
    sell_count = Field(int, "SELN_CNTG_CSNU")
    """``SELN_CNTG_CSNU`` 매도 체결 건수: sell-initiated trades of the day."""
    buy_count = Field(int, "SHNU_CNTG_CSNU")
    """``SHNU_CNTG_CSNU`` 매수 체결 건수: buy-initiated trades of the day."""
    net_buy_count = Field(int, "NTBY_CNTG_CSNU")
    """``NTBY_CNTG_CSNU`` 순매수 체결 건수."""
    sell_volume = Field(int, "SELN_CNTG_SMTN")
    """``SELN_CNTG_SMTN`` 총 매도 수량: sell-initiated volume of the day."""
    buy_volume = Field(int, "SHNU_CNTG_SMTN")
    """``SHNU_CNTG_SMTN`` 총 매수 수량: buy-initiated volume of the day."""
    buy_ratio = Field(Decimal, "SHNU_RATE")
    """``SHNU_RATE`` 매수 비율."""
    volume_rate = Field(Decimal, "PRDY_VOL_VRSS_ACML_VOL_RATE")
    """``PRDY_VOL_VRSS_ACML_VOL_RATE`` 전일 거래량 대비 등락율 (%)."""
    open_time = Field(_seoul, "BSOP_DATE", "OPRC_HOUR", memo=True)
    """``BSOP_DATE`` + ``OPRC_HOUR`` 시가 시간, Asia/Seoul."""
    change_from_open = Field(_signed, "OPRC_VRSS_PRPR", "OPRC_VRSS_PRPR_SIGN")
    """``OPRC_VRSS_PRPR`` 시가 대비, signed by ``OPRC_VRSS_PRPR_SIGN``."""
    high_time = Field(_seoul, "BSOP_DATE", "HGPR_HOUR", memo=True)
    """``BSOP_DATE`` + ``HGPR_HOUR`` 최고가 시간, Asia/Seoul."""
    change_from_high = Field(_signed, "HGPR_VRSS_PRPR", "HGPR_VRSS_PRPR_SIGN")
    """``HGPR_VRSS_PRPR`` 고가 대비, signed by ``HGPR_VRSS_PRPR_SIGN``."""
    low_time = Field(_seoul, "BSOP_DATE", "LWPR_HOUR", memo=True)
    """``BSOP_DATE`` + ``LWPR_HOUR`` 최저가 시간, Asia/Seoul."""
    change_from_low = Field(_signed, "LWPR_VRSS_PRPR", "LWPR_VRSS_PRPR_SIGN")
    """``LWPR_VRSS_PRPR`` 저가 대비, signed by ``LWPR_VRSS_PRPR_SIGN``."""
    operation_code = Field(_text, "NEW_MKOP_CLS_CODE")
    """``NEW_MKOP_CLS_CODE`` 신 장운영 구분 코드 (two characters: the phase of the day, then the board)."""
    total_ask_qty = Field(int, "TOTAL_ASKP_RSQN")
    """``TOTAL_ASKP_RSQN`` 총 매도호가 잔량."""
    total_bid_qty = Field(int, "TOTAL_BIDP_RSQN")
    """``TOTAL_BIDP_RSQN`` 총 매수호가 잔량."""
    turnover = Field(Decimal, "VOL_TNRT")
    """``VOL_TNRT`` 거래량 회전율 (%)."""
    same_time_volume = Field(int, "PRDY_SMNS_HOUR_ACML_VOL")
    """``PRDY_SMNS_HOUR_ACML_VOL`` 전일 동시간 누적 거래량: the previous day's volume by this time."""
    same_time_volume_rate = Field(Decimal, "PRDY_SMNS_HOUR_ACML_VOL_RATE")
    """``PRDY_SMNS_HOUR_ACML_VOL_RATE`` 전일 동시간 누적 거래량 비율 (%)."""
    hour_class = Field(_text, "HOUR_CLS_CODE")
    """``HOUR_CLS_CODE`` 시간 구분 코드: 0 장중, A 장후 예상, B 장전 예상, C 9시 이후 예상가·VI, D 시간외
    단일가 예상."""
    random_end_code = Field(_text, "MRKT_TRTM_CLS_CODE")
    """``MRKT_TRTM_CLS_CODE`` 임의 종료 구분 코드."""
    vi_price = Field(_price, "VI_STND_PRC")
    """``VI_STND_PRC`` 정적 VI 발동 기준가."""


class KisForeignRealtimePrice(KisRealtimePrice):
    """``HDFSCNT0`` 해외주식 실시간지연체결가 (key ``D``+EXCD+symbol, or ``R``+BAQ/BAY/BAA+symbol for the US daytime
    session). Records that start with the realtime key (``RSYM``), as some feeds send, are accepted too."""

    key = Field(_key, context="_k")
    """The realtime key (``DNASAAPL``) the record belongs to, when known."""
    exchange = Field(_exchange, context="_k", memo=True)
    """The EXCD of the key (``NAS``, ``BAQ``, ``HKS``, …)."""
    daytime = Field(_daytime, context="_k", memo=True)
    """Whether the record comes from the US daytime session feed (key prefix ``R``)."""
    market = Field(_foreign_market, context="_k", memo=True)
    """``NASDAQ``, ``NYSE``, ``AMEX``, ``HKEX``, … (the key's exchange; the EXCD itself if unknown)."""
    symbol = Field(_text, "SYMB")
    """``SYMB`` 종목코드."""
    decimals = Field(int, "ZDIV")
    """``ZDIV`` 소수점자리수."""
    time = Field(_local, "XYMD", "XHMS", "KYMD", "KHMS", context="_k", memo=True)
    """``XYMD`` + ``XHMS`` in the exchange's zone; ``KYMD`` + ``KHMS`` (Asia/Seoul) if the exchange is unknown."""
    korean_time = Field(_seoul, "KYMD", "KHMS", memo=True)
    """``KYMD`` + ``KHMS``, Asia/Seoul."""
    open = Field(_price, "OPEN")
    """``OPEN``."""
    high = Field(_price, "HIGH")
    """``HIGH``."""
    low = Field(_price, "LOW")
    """``LOW``."""
    price = Field(_price, "LAST")
    """``LAST`` 현재가."""
    sign = Field(_text, "SIGN")
    """``SIGN`` 대비구분: 1 상한, 2 상승, 3 보합, 4 하한, 5 하락."""
    change = Field(_signed, "DIFF", "SIGN")
    """``DIFF`` 전일대비, signed."""
    rate = Field(_signed, "RATE", "SIGN")
    """``RATE`` 등락율 (%), signed."""
    bid = Field(_price, "PBID")
    """``PBID`` 매수호가."""
    ask = Field(_price, "PASK")
    """``PASK`` 매도호가."""
    bid_qty = Field(int, "VBID")
    """``VBID`` 매수잔량."""
    ask_qty = Field(int, "VASK")
    """``VASK`` 매도잔량."""
    qty = Field(int, "EVOL")
    """``EVOL`` 체결량."""
    volume = Field(int, "TVOL")
    """``TVOL`` 거래량."""
    amount = Field(Decimal, "TAMT")
    """``TAMT`` 거래대금."""
    strength = Field(Decimal, "STRN")
    """``STRN`` 체결강도."""
    session = Field(_optional, "MTYP", memo=True)
    """``MTYP`` 시장구분: 1 regular, 2 pre-market, 3 after-market."""
    business_day = Field(_ymd, "TYMD")
    """``TYMD`` 현지 영업일자: the exchange's trading day."""
    sell_volume = Field(int, "BIVL")
    """``BIVL`` 매도 체결량: volume traded at the bid (sell-initiated)."""
    buy_volume = Field(int, "ASVL")
    """``ASVL`` 매수 체결량: volume traded at the ask (buy-initiated)."""


# ----------------------------------------------------------------------------------------------- orderbooks


class KisRealtimeOrderbook(KisRealtimeEvent):
    """An order-book update of any market; ``asks``/``bids`` best level first."""

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

    market = Field(_domestic_market, context="_t", memo=True)
    """``KRX``, ``NXT`` or ``UN`` (the TR's feed)."""
    symbol = Field(_text, "MKSC_SHRN_ISCD")
    """``MKSC_SHRN_ISCD`` 유가증권 단축 종목코드."""
    time = Field(_arrival, "BSOP_HOUR", context="_d", memo=True)
    """``BSOP_HOUR`` on the day the frame arrived, Asia/Seoul."""
    asks = Field(_levels, *_ten("ASKP"), *_ten("ASKP_RSQN"), lists=2)
    """``ASKP1..10`` with ``ASKP_RSQN1..10``."""
    bids = Field(_levels, *_ten("BIDP"), *_ten("BIDP_RSQN"), lists=2)
    """``BIDP1..10`` with ``BIDP_RSQN1..10``."""
    total_ask_qty = Field(int, "TOTAL_ASKP_RSQN")
    """``TOTAL_ASKP_RSQN`` 총 매도호가 잔량."""
    total_bid_qty = Field(int, "TOTAL_BIDP_RSQN")
    """``TOTAL_BIDP_RSQN`` 총 매수호가 잔량."""
    expected_price = Field(_price, "ANTC_CNPR")
    """``ANTC_CNPR`` 예상 체결가 (auction phases)."""
    expected_qty = Field(int, "ANTC_CNQN")
    """``ANTC_CNQN`` 예상 체결량."""
    volume = Field(int, "ACML_VOL")
    """``ACML_VOL`` 누적 거래량."""
    mid_price = Field(_dec_or_none, "MID_PRC|KMID_PRC", memo=True)
    """``MID_PRC`` (KRX) / ``KMID_PRC`` (NXT, 통합) 중간가 (newer layouts only)."""
    session = Field(_optional, "MARKET_CLS_CODE", memo=True)
    """``MARKET_CLS_CODE`` of the 63-field KRX layout; ``None`` otherwise."""
    hour_class = Field(_text, "HOUR_CLS_CODE")
    """``HOUR_CLS_CODE`` 시간 구분 코드: 0 장중, A 장후 예상, B 장전 예상, C 9시 이후 예상가·VI, D 시간외
    단일가 예상."""
    overtime_total_ask_qty = Field(int, "OVTM_TOTAL_ASKP_RSQN")
    """``OVTM_TOTAL_ASKP_RSQN`` 시간외 총 매도호가 잔량."""
    overtime_total_bid_qty = Field(int, "OVTM_TOTAL_BIDP_RSQN")
    """``OVTM_TOTAL_BIDP_RSQN`` 시간외 총 매수호가 잔량."""
    expected_volume = Field(int, "ANTC_VOL")
    """``ANTC_VOL`` 예상 거래량."""
    expected_change = Field(_signed, "ANTC_CNTG_VRSS", "ANTC_CNTG_VRSS_SIGN")
    """``ANTC_CNTG_VRSS`` 예상 체결 대비, signed by ``ANTC_CNTG_VRSS_SIGN``."""
    expected_rate = Field(_signed, "ANTC_CNTG_PRDY_CTRT", "ANTC_CNTG_VRSS_SIGN")
    """``ANTC_CNTG_PRDY_CTRT`` 예상 체결 전일 대비율 (%), signed."""
    total_ask_qty_change = Field(int, "TOTAL_ASKP_RSQN_ICDC")
    """``TOTAL_ASKP_RSQN_ICDC`` 총 매도호가 잔량 증감."""
    total_bid_qty_change = Field(int, "TOTAL_BIDP_RSQN_ICDC")
    """``TOTAL_BIDP_RSQN_ICDC`` 총 매수호가 잔량 증감."""
    overtime_total_ask_qty_change = Field(int, "OVTM_TOTAL_ASKP_ICDC")
    """``OVTM_TOTAL_ASKP_ICDC`` 시간외 총 매도호가 증감."""
    overtime_total_bid_qty_change = Field(int, "OVTM_TOTAL_BIDP_ICDC")
    """``OVTM_TOTAL_BIDP_ICDC`` 시간외 총 매수호가 증감."""
    mid_qty = Field(_int_or_none, "MIDP_TOTAL_RSQN|KMID_TOTAL_RSQN")
    """``MIDP_TOTAL_RSQN`` (KRX) / ``KMID_TOTAL_RSQN`` (NXT, 통합) 중간가 잔량 합계 (newer layouts only)."""
    mid_side_code = Field(_optional, "MIDP_CLS_CODE|KMID_CLS_CODE", memo=True)
    """``MIDP_CLS_CODE`` / ``KMID_CLS_CODE`` 중간가 매수매도 구분, as sent (newer layouts only)."""
    nxt_mid_price = Field(_dec_or_none, "NMID_PRC", memo=True)
    """``NMID_PRC`` NXT 중간가 (NXT and 통합 feeds only)."""
    nxt_mid_qty = Field(_int_or_none, "NMID_TOTAL_RSQN")
    """``NMID_TOTAL_RSQN`` NXT 중간가 잔량 합계 (NXT and 통합 feeds only)."""
    nxt_mid_side_code = Field(_optional, "NMID_CLS_CODE", memo=True)
    """``NMID_CLS_CODE`` NXT 중간가 매수매도 구분, as sent (NXT and 통합 feeds only)."""
    expected_exchange = Field(_expected_exchange, "ANTC_EXCH_CLS_CODE")
    """``ANTC_EXCH_CLS_CODE`` (통합 feed, since 2026-09-14): the market whose expected price this is, ``KRX`` or
    ``NXT``; ``None`` on other feeds and older records."""


class KisForeignRealtimeOrderbook(KisRealtimeOrderbook):
    """``HDFSASP0`` 해외주식 실시간호가, ``HDFSASP1`` 지연호가(아시아): totals and 1 level (more levels if sent,
    6 fields each: ``PBIDn PASKn VBIDn VASKn DBIDn DASKn``)."""

    key = Field(_key, context="_k")
    """The realtime key the record belongs to, when known."""
    exchange = Field(_exchange, context="_k", memo=True)
    """The EXCD of the key."""
    market = Field(_foreign_market, context="_k", memo=True)
    """The key's market (``NASDAQ``, ``HKEX``, …)."""
    symbol = Field(_text, "SYMB")
    """``SYMB`` 종목코드."""
    time = Field(_local, "XYMD", "XHMS", "KYMD", "KHMS", context="_k", memo=True)
    """``XYMD`` + ``XHMS`` in the exchange's zone (``KYMD`` + ``KHMS`` if unknown)."""
    total_bid_qty = Field(int, "BVOL")
    """``BVOL`` 매수총잔량."""
    total_ask_qty = Field(int, "AVOL")
    """``AVOL`` 매도총잔량."""
    decimals = Field(int, "ZDIV")
    """``ZDIV`` 소수점자리수."""
    total_bid_qty_change = Field(int, "BDVL")
    """``BDVL`` 매수총잔량 대비."""
    total_ask_qty_change = Field(int, "ADVL")
    """``ADVL`` 매도총잔량 대비."""
    bid_qty_change = Field(int, "DBID1")
    """``DBID1`` 매수잔량 대비 at the best bid."""
    ask_qty_change = Field(int, "DASK1")
    """``DASK1`` 매도잔량 대비 at the best ask."""

    bids = Field(lambda event: _foreign_side(event, "PBID1", "VBID1"), context=True)
    """``PBIDn`` with ``VBIDn``, every level sent."""
    asks = Field(lambda event: _foreign_side(event, "PASK1", "VASK1"), context=True)
    """``PASKn`` with ``VASKn``, every level sent."""


def _foreign_side(event: KisRealtimeEvent, price: str, qty: str) -> tuple[KisRealtimeLevel, ...]:
    # Level n+1 repeats level n's six columns: the catalog describes level 1, the feed may send more.
    at = type(event)._resolve().positions.get  # one lookup of the layout, not one per column
    first = at("PBID1", -1)
    width, offset_price, offset_qty = at("DBID1", -1) - first + 2, at(price, -1) - first, at(qty, -1) - first
    fields = event._r.split("^")
    levels = []
    for start in range(first, len(fields) - width + 1, width):
        level_price, level_qty = _dec(fields[start + offset_price]), _int(fields[start + offset_qty])
        if level_price or level_qty:
            levels.append(KisRealtimeLevel(level_price, level_qty))
    return tuple(levels)

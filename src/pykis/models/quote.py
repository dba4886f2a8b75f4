"""Quotes: ``KisDomesticQuote`` (FHKST01010100 주식현재가 시세) and ``KisForeignQuote``
(HHDFS76200200 해외주식 현재가상세), with their valuation indicators.

Each is decoded straight from the response bytes into the API's generated wire shape (:mod:`pykis.wire`),
then converted to the public, frozen model.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar, Literal

from pykis.exchanges.markets import krx_tick
from pykis.models._base import KisModel, dec, dec_or_none, yyyymmdd
from pykis.wire import _market

__all__ = [
    "KisDomesticBatchQuote",
    "KisDomesticIndicator",
    "KisDomesticQuote",
    "KisForeignIndicator",
    "KisForeignQuote",
    "KisIndicator",
    "KisQuote",
    "RiskLevel",
]

RiskLevel = Literal["none", "caution", "warning", "danger"]
_RISK: dict[str, RiskLevel] = {"00": "none", "01": "caution", "02": "warning", "03": "danger"}
_HUNDRED_MILLION = Decimal(100_000_000)


class KisIndicator(KisModel, frozen=True, kw_only=True):
    """Valuation indicators: EPS, BPS, PER, PBR and the 52-week range."""

    eps: Decimal
    bps: Decimal
    per: Decimal
    pbr: Decimal
    week52_high: Decimal
    week52_low: Decimal
    week52_high_date: date | None
    week52_low_date: date | None


class KisDomesticIndicator(KisIndicator, frozen=True, kw_only=True):
    """Indicators of a domestic stock."""


class KisForeignIndicator(KisIndicator, frozen=True, kw_only=True):
    """Indicators of an overseas stock."""


class KisQuote(KisModel, frozen=True, kw_only=True):
    """The current quote of a stock; prices in the market's currency, ``time`` in its zone."""

    __repr_fields__: ClassVar[tuple[str, ...]] = (
        "symbol",
        "market",
        "name",
        "sector_name",
        "volume",
        "amount",
        "market_cap",
        "indicator",
        "open",
        "high",
        "low",
        "close",
        "change",
        "unit",
        "tick",
        "risk",
        "halt",
        "overbought",
    )

    symbol: str
    market: str
    name: str
    sector_name: str | None
    """The sector; ``None`` where the inquiry does not report it (batch quotes, blanks)."""
    time: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    prev_close: Decimal
    change: Decimal
    volume: int
    amount: Decimal
    market_cap: Decimal | None
    """Market capitalisation; ``None`` where the inquiry does not report it (batch and after-hours quotes)."""
    upper_limit: Decimal | None
    """The day's price limits; ``None`` where the market has none (US, Hong Kong) or the service left it out."""
    lower_limit: Decimal | None
    unit: int
    tick: Decimal
    risk: RiskLevel
    halt: bool
    overbought: bool
    indicator: KisIndicator | None
    """Valuation indicators; ``None`` where the inquiry does not report them (batch and after-hours quotes)."""
    extended: bool = False
    venue: str | None = None

    @property
    def price(self) -> Decimal:
        """The last price (same as ``close``)."""
        return self.close

    @property
    def rate(self) -> Decimal:
        """Change against the previous close, in percent."""
        if not self.prev_close:
            return Decimal(0)
        return (self.change / self.prev_close * 100).quantize(Decimal("0.01"))

    @property
    def sign(self) -> Literal["rise", "flat", "fall"]:
        """Direction against the previous close."""
        return "rise" if self.change > 0 else "fall" if self.change < 0 else "flat"


class KisDomesticQuote(KisQuote, frozen=True, kw_only=True):
    """A KRX/NXT quote (FHKST01010100 주식현재가 시세)."""


class KisDomesticBatchQuote(KisDomesticQuote, frozen=True, kw_only=True):
    """A domestic quote from :meth:`PyKis.quotes` (FHKST11300006 관심종목 그룹별 시세, 30 symbols a request).

    That inquiry sends prices, volume, amount and the day's limits only: ``sector_name``, ``market_cap`` and
    ``indicator`` are ``None``, ``risk`` is ``"none"`` and ``overbought`` False (not reported, not known to be
    so), ``unit`` 1 and ``tick`` the KRX table's at the price. ``stock.quote()`` fills them all.
    """


class KisForeignQuote(KisQuote, frozen=True, kw_only=True):
    """An overseas quote (HHDFS76200200 해외주식 현재가상세)."""


# ---- wire shapes: generated from the catalog (pykis.wire), named as the scopes read them -------------------

DomesticQuoteBody = _market.DomesticStockInquirePriceBody
"""FHKST01010100 주식현재가 시세's body (``output``)."""
ForeignQuoteBody = _market.OverseasStockPriceDetailBody
"""HHDFS76200200 해외주식 현재가상세's body (``output``)."""
DomesticOvertimeQuoteBody = _market.DomesticStockInquireOvertimePriceBody
"""FHPST02300000 시간외 현재가's body (``output``)."""
DomesticMultiQuoteBody = _market.DomesticStockIntstockMultpriceBody
"""FHKST11300006 관심종목 그룹별 시세's body: one ``output`` row per symbol asked, in order."""


def _blank_to_none(text: str | None) -> str | None:
    return text.strip() or None if text is not None else None


def domestic_quote(
    wire: _market.DomesticStockInquirePriceRow,
    *,
    symbol: str,
    market: str,
    name: str,
    time: datetime,
    venue: str = "KRX",
) -> KisDomesticQuote:
    """Build the public model from the wire block."""
    close = dec(wire.stck_prpr)
    change = dec(wire.prdy_vrss)
    indicator = KisDomesticIndicator(
        eps=dec(wire.eps),
        bps=dec(wire.bps),
        per=dec(wire.per),
        pbr=dec(wire.pbr),
        week52_high=dec(wire.w52_hgpr),
        week52_low=dec(wire.w52_lwpr),
        week52_high_date=yyyymmdd(wire.w52_hgpr_date),
        week52_low_date=yyyymmdd(wire.w52_lwpr_date),
    )
    unit = dec(wire.hts_deal_qty_unit_val or "1")
    return KisDomesticQuote(
        symbol=wire.stck_shrn_iscd.strip() or symbol,
        market=market,
        name=name,
        sector_name=_blank_to_none(wire.bstp_kor_isnm),
        time=time,
        open=dec(wire.stck_oprc),
        high=dec(wire.stck_hgpr),
        low=dec(wire.stck_lwpr),
        close=close,
        prev_close=close - change,
        change=change,
        volume=int(dec(wire.acml_vol)),
        amount=dec(wire.acml_tr_pbmn),
        # hts_avls is in units of 100 million won.
        market_cap=dec(wire.hts_avls) * _HUNDRED_MILLION,
        upper_limit=dec_or_none(wire.stck_mxpr),
        lower_limit=dec_or_none(wire.stck_llam),
        unit=int(unit) if unit > 0 else 1,
        tick=dec(wire.aspr_unit),
        risk=_RISK.get(wire.mrkt_warn_cls_code.strip(), "none"),
        # 58 거래정지, 59 단기과열 정지 in iscd_stat_cls_code; temp_stop_yn for a temporary halt.
        halt=wire.temp_stop_yn == "Y" or wire.iscd_stat_cls_code in ("58", "59"),
        overbought=wire.short_over_yn == "Y",
        indicator=indicator,
        venue=venue,
    )


def foreign_quote(
    wire: _market.OverseasStockPriceDetailRow,
    *,
    symbol: str,
    market: str,
    name: str,
    time: datetime,
    extended: bool = False,
) -> KisForeignQuote:
    """Build the public model from the wire block."""
    close = dec(wire.last)
    prev_close = dec(wire.base)
    indicator = KisForeignIndicator(
        eps=dec(wire.epsx),
        bps=dec(wire.bpsx),
        per=dec(wire.perx),
        pbr=dec(wire.pbrx),
        week52_high=dec(wire.h52p),
        week52_low=dec(wire.l52p),
        week52_high_date=yyyymmdd(wire.h52d),
        week52_low_date=yyyymmdd(wire.l52d),
    )
    unit = dec(wire.vnit or "1")
    return KisForeignQuote(
        symbol=symbol,
        market=market,
        name=name,
        sector_name=_blank_to_none(wire.e_icod),
        time=time,
        open=dec(wire.open),
        high=dec(wire.high),
        low=dec(wire.low),
        close=close,
        prev_close=prev_close,
        change=close - prev_close if prev_close else Decimal(0),
        volume=int(dec(wire.tvol)),
        amount=dec(wire.tamt),
        market_cap=dec(wire.tomv),
        upper_limit=_limit(wire.uplp),
        lower_limit=_limit(wire.dnlp),
        unit=int(unit) if unit > 0 else 1,
        tick=dec(wire.e_hogau),
        risk="none",
        # e_ordyn: 매매 가능 여부 ("매매 불가" when the stock cannot be traded).
        halt=wire.e_ordyn.strip() not in ("", "Y", "매매 가능"),
        overbought=False,
        indicator=indicator,
        extended=extended,
    )


def domestic_overtime_quote(
    wire: _market.DomesticStockInquireOvertimePriceRow,
    *,
    symbol: str,
    market: str,
    name: str,
    time: datetime,
    venue: str = "KRX",
) -> KisDomesticQuote:
    """The after-hours single-price session as a quote; the valuation indicators are not part of it."""
    close = dec(wire.ovtm_untp_prpr)
    change = dec(wire.ovtm_untp_prdy_vrss)
    return KisDomesticQuote(
        symbol=symbol,
        market=market,
        name=name,
        sector_name=_blank_to_none(wire.bstp_kor_isnm),
        time=time,
        open=dec(wire.ovtm_untp_oprc),
        high=dec(wire.ovtm_untp_hgpr),
        low=dec(wire.ovtm_untp_lwpr),
        close=close,
        prev_close=close - change,
        change=change,
        volume=int(dec(wire.ovtm_untp_vol)),
        amount=dec(wire.ovtm_untp_tr_pbmn),
        market_cap=None,
        upper_limit=dec_or_none(wire.ovtm_untp_mxpr),
        lower_limit=dec_or_none(wire.ovtm_untp_llam),
        unit=1,
        tick=krx_tick(close) if close > 0 else Decimal(0),
        risk=_RISK.get(wire.mrkt_warn_cls_code.strip(), "none"),
        halt=wire.trht_yn == "Y",
        overbought=False,
        indicator=None,
        extended=True,
        venue=venue,
    )


def _limit(text: str | None) -> Decimal | None:
    """A price limit of an overseas quote: markets without daily limits (US, Hong Kong) send zero."""
    value = dec_or_none(text)
    return value if value else None


def domestic_multi_quote(
    row: _market.DomesticStockIntstockMultpriceRow,
    *,
    symbol: str,
    market: str,
    name: str,
    time: datetime,
    venue: str = "KRX",
) -> KisDomesticBatchQuote:
    """A quote from a batch row: prices, volume and limits; no indicators, market cap or sector (the
    inquiry does not report them). The tick is the KRX table's at the price; the lot is one share."""
    close = dec(row.inter2_prpr)
    change = dec(row.inter2_prdy_vrss)
    prev_close = dec(row.inter2_prdy_clpr) or close - change
    return KisDomesticBatchQuote(
        symbol=symbol,
        market=market,
        name=row.inter_kor_isnm.strip() or name,
        sector_name=None,
        time=time,
        open=dec(row.inter2_oprc),
        high=dec(row.inter2_hgpr),
        low=dec(row.inter2_lwpr),
        close=close,
        prev_close=prev_close,
        change=change,
        volume=int(dec(row.acml_vol)),
        amount=dec(row.acml_tr_pbmn),
        market_cap=None,
        upper_limit=dec_or_none(row.inter2_mxpr),
        lower_limit=dec_or_none(row.inter2_llam),
        unit=1,
        tick=krx_tick(close) if close > 0 else Decimal(0),
        risk="none",
        # 시장조치구분명: "거래정지" while trading is halted.
        halt="정지" in row.mrkt_trtm_cls_name,
        overbought=False,
        indicator=None,
        venue=venue,
    )

"""Chart flows: daily-and-up and intraday bars for domestic and overseas stocks, paging as far back as asked."""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import groupby
from typing import TYPE_CHECKING, Any

import msgspec

from pykis import progress
from pykis._log import lazy_logger
from pykis.api._generated import domestic_stock, overseas_stock
from pykis.errors import KisValidationError
from pykis.models.chart import (
    ChartPeriod,
    DomesticDailyBody,
    DomesticMinuteBody,
    KisChart,
    KisChartBar,
    OverseasDailyBody,
    OverseasMinuteBody,
    aggregate,
    domestic_daily_bars,
    domestic_minute_bars,
    overseas_daily_bars,
    overseas_minute_bars,
)
from pykis.protocol.env import Environment
from pykis.protocol.flow import Action
from pykis.protocol.request import ApiCall

if TYPE_CHECKING:
    from pykis.protocol.envelope import Envelope
    from pykis.scopes.stock import StockBase

__all__ = ["chart_flow", "parse_span"]

log = lazy_logger()

_SPAN = re.compile(r"^(\d+)\s*(y|mo|m|w|d|h|min)$")
_DAILY_CODES = {"day": "D", "week": "W", "month": "M", "year": "Y"}
_OVERSEAS_GUBN = {"day": "0", "week": "1", "month": "2"}
MAX_PAGES = 200


def parse_span(text: str) -> timedelta:
    """``"1y"``, ``"6m"`` (months), ``"2w"``, ``"10d"``, ``"3h"``, ``"30min"`` as a look-back span."""
    match = _SPAN.match(text.strip().lower())
    if not match:
        raise KisValidationError(f"chart span must look like '1y', '6m', '2w', '10d', '3h' or '30min', got {text!r}")
    count, unit = int(match.group(1)), match.group(2)
    days = {"y": 365, "m": 30, "mo": 30, "w": 7, "d": 1}.get(unit)
    if days is not None:
        return timedelta(days=count * days)
    return timedelta(hours=count) if unit == "h" else timedelta(minutes=count)


def chart_flow(
    stock: StockBase,
    start: date | datetime | timedelta | str | None,
    end: date | datetime | None,
    period: ChartPeriod | int,
    adjusted: bool,
) -> Generator[Action, Any, KisChart]:
    """Bars of ``stock`` from ``start`` to ``end``; ``period`` an int means minute bars of that interval."""
    now = yield from stock._core._now_flow(stock.timezone)
    minutes = period if isinstance(period, int) else 0
    if isinstance(period, int) and not 1 <= period <= 240:
        raise KisValidationError(f"minute interval must be 1..240, got {period}")
    if not isinstance(period, int) and period not in _DAILY_CODES:
        raise KisValidationError(f"period must be day, week, month, year or minutes (int), got {period!r}")
    start_time, end_time = _window(stock, start, end, now, minutes=minutes)
    if minutes:
        if stock.domestic:
            ones = yield from _domestic_minutes(stock, start_time, end_time)
            grouped = aggregate([bar for bar in ones if start_time <= bar.time <= end_time], minutes)
        else:
            # The server groups NMIN-minute bars from the session open; no client-side regrouping.
            served = yield from _overseas_minutes(stock, start_time, end_time, minutes)
            grouped = tuple(bar for bar in served if start_time <= bar.time <= end_time)
        _report_done(stock, (end_time - start_time) / timedelta(minutes=1), "minutes")
        return KisChart(symbol=stock.symbol, market=stock.market, period="minute", interval=minutes, bars=grouped)
    assert not isinstance(period, int)
    if stock.domestic:
        bars = yield from _domestic_daily(stock, start_time.date(), end_time.date(), period, adjusted)
    else:
        bars = yield from _overseas_daily(stock, start_time.date(), end_time.date(), period, adjusted)
    kept = [bar for bar in bars if start_time.date() <= bar.time.date() <= end_time.date()]
    _report_done(stock, (end_time.date() - start_time.date()).days, "days")
    if not kept:
        _warn_if_unexpectedly_empty(stock, start_time.date(), min(end_time, now).date())
    return KisChart(symbol=stock.symbol, market=stock.market, period=period, interval=0, bars=tuple(kept))


def _window(
    stock: StockBase,
    start: date | datetime | timedelta | str | None,
    end: date | datetime | None,
    now: datetime,
    *,
    minutes: int,
) -> tuple[datetime, datetime]:
    """The chart's (start, end) in the stock's time zone: ``end`` defaults to now; ``start`` to the day's open for
    minute bars and 150 days back for daily bars."""
    end_time = _as_datetime(end, stock, end_of_day=True) if end is not None else now
    if isinstance(start, str):
        start = parse_span(start)
    if isinstance(start, timedelta):
        start_time = end_time - start
    elif start is None:
        start_time = (
            end_time.replace(hour=0, minute=0, second=0, microsecond=0) if minutes else end_time - timedelta(days=150)
        )
    else:
        start_time = _as_datetime(start, stock, end_of_day=False)
    if start_time > end_time:
        raise KisValidationError("chart start is after its end")
    return start_time, end_time


def _warn_if_unexpectedly_empty(stock: StockBase, first: date, last: date) -> None:
    """An empty answer for a window in which the market traded is reported, not passed over in silence."""
    hours = stock._core.trading_hours(stock.market)
    day, traded = first, 0
    while day <= last and traded == 0:
        traded += hours.is_trading_day(day)
        day += timedelta(days=1)
    if traded:
        log.warning(
            "No bars for %s from %s to %s although %s traded then (service time %s)",
            stock.symbol,
            first,
            last,
            stock.market,
            stock._core.now().strftime("%Y-%m-%d %H:%M %Z"),
        )


def _as_datetime(value: date | datetime, stock: StockBase, *, end_of_day: bool) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=stock.timezone)
    return datetime.combine(value, time.max if end_of_day else time.min, stock.timezone)


def _ascending_unique(bars: list[KisChartBar]) -> list[KisChartBar]:
    unique = {bar.time: bar for bar in bars}
    return [unique[key] for key in sorted(unique)]


def _page_back_by_date(
    stock: StockBase,
    start: date,
    end: date,
    call_for: Callable[[date], ApiCall],
    bars_of: Callable[[Envelope], list[KisChartBar]],
) -> Generator[Action, Any, list[KisChartBar]]:
    """Daily-and-up bars come newest first, a page at a time back from an end date: ask again from the day
    before the oldest bar received until ``start`` is reached or a page comes back empty."""
    bars: list[KisChartBar] = []
    cursor = end
    for _ in range(MAX_PAGES):
        envelope = yield from stock._core.request_flow(call_for(cursor))
        page = bars_of(envelope)
        if not page:
            # Nothing older: the history the service has is covered (a page received is a page reported).
            _report(stock, (end - start).days, (end - start).days, "days")
            break
        bars += page
        oldest = min(bar.time.date() for bar in page)
        _report(stock, (end - oldest).days, (end - start).days, "days")
        if oldest <= start:
            break
        cursor = oldest - timedelta(days=1)
    return _ascending_unique(bars)


def _report(stock: StockBase, done: float, total: float, unit: str) -> None:
    """Chart history covered so far, for :mod:`pykis.progress` listeners."""
    progress.report(f"chart {stock.symbol}", done, total, unit)


def _report_done(stock: StockBase, total: float, unit: str) -> None:
    progress.report(f"chart {stock.symbol}", total, total, unit, finished=True)


def _domestic_daily(
    stock: StockBase, start: date, end: date, period: ChartPeriod, adjusted: bool
) -> Generator[Action, Any, list[KisChartBar]]:
    """국내주식기간별시세 (FHKST03010100): at most 100 bars a call, newest first; page by moving the end date."""

    def call_for(cursor: date) -> ApiCall:
        return domestic_stock.inquire_daily_itemchartprice(
            FID_COND_MRKT_DIV_CODE="J",
            FID_INPUT_ISCD=stock.symbol,
            FID_INPUT_DATE_1=start.strftime("%Y%m%d"),
            FID_INPUT_DATE_2=cursor.strftime("%Y%m%d"),
            FID_PERIOD_DIV_CODE=_DAILY_CODES[period],
            FID_ORG_ADJ_PRC="0" if adjusted else "1",
        ).call

    def bars_of(envelope: Envelope) -> list[KisChartBar]:
        return domestic_daily_bars(envelope.decode(DomesticDailyBody), stock.timezone)

    return (yield from _page_back_by_date(stock, start, end, call_for, bars_of))


def _overseas_daily(
    stock: StockBase, start: date, end: date, period: ChartPeriod, adjusted: bool
) -> Generator[Action, Any, list[KisChartBar]]:
    """HHDFS76240000 해외주식 기간별시세: 100 rows a call back from BYMD; page by moving BYMD."""
    if period == "year":
        # HHDFS76240000 has no yearly bars: fold the monthly ones (from January of the first year).
        months = yield from _overseas_daily(stock, start.replace(month=1, day=1), end, "month", adjusted)
        return list(_fold_years(months))
    if period not in _OVERSEAS_GUBN:
        raise KisValidationError(f"overseas charts offer day, week, month and year bars, not {period!r}")

    def call_for(cursor: date) -> ApiCall:
        return overseas_stock.dailyprice(
            EXCD=stock.info.excd or "",
            SYMB=stock.symbol,
            GUBN=_OVERSEAS_GUBN[period],
            BYMD=cursor.strftime("%Y%m%d"),
            MODP="1" if adjusted else "0",
        ).call

    def bars_of(envelope: Envelope) -> list[KisChartBar]:
        return overseas_daily_bars(envelope.decode(OverseasDailyBody), stock.timezone)

    return (yield from _page_back_by_date(stock, start, end, call_for, bars_of))


def _domestic_minutes(stock: StockBase, start: datetime, end: datetime) -> Generator[Action, Any, list[KisChartBar]]:
    """One-minute bars from ``start`` to ``end``, newest pages first.

    With the real service: FHKST03010230 주식일별분봉조회, 120 bars a call back from a date and time, crossing
    days. Virtual only: FHKST03010200 주식당일분봉조회, 30 bars a call back from FID_INPUT_HOUR_1, the current
    day only. Both report the day's running amount (``acml_tr_pbmn``, 누적 거래대금); bar amounts are its steps.
    """

    daily = Environment.REAL in stock._core.environments
    bars: list[KisChartBar] = []
    cursor = end
    previous_oldest: datetime | None = None
    for _ in range(MAX_PAGES):
        market_code, code, hour = "J", stock.quote_code, cursor.strftime("%H%M%S")
        if daily:
            call = domestic_stock.inquire_time_dailychartprice(
                FID_COND_MRKT_DIV_CODE=market_code,
                FID_INPUT_ISCD=code,
                FID_INPUT_HOUR_1=hour,
                FID_INPUT_DATE_1=cursor.strftime("%Y%m%d"),
                FID_PW_DATA_INCU_YN="Y",
            ).call
        else:
            call = domestic_stock.inquire_time_itemchartprice(
                FID_COND_MRKT_DIV_CODE=market_code,
                FID_INPUT_ISCD=code,
                FID_INPUT_HOUR_1=hour,
                FID_PW_DATA_INCU_YN="Y",
                FID_ETC_CLS_CODE="",
            ).call
        envelope = yield from stock._core.request_flow(call)
        page = domestic_minute_bars(envelope.decode(DomesticMinuteBody), stock.timezone)
        if not page:
            break
        bars += page
        oldest = min(bar.time for bar in page)
        _report(stock, (end - oldest) / timedelta(minutes=1), (end - start) / timedelta(minutes=1), "minutes")
        # Stop once a bar before ``start`` is in hand (its running amount anchors the first bar's step).
        if oldest < start or oldest == previous_oldest or (not daily and oldest.time() <= time(0, 1)):
            break
        previous_oldest = oldest
        cursor = oldest - timedelta(minutes=1)
    return _steps(_ascending_unique(bars))


def _steps(bars: list[KisChartBar]) -> list[KisChartBar]:
    """Running (cumulative) amounts per day turned into each bar's own amount."""
    out: list[KisChartBar] = []
    previous: KisChartBar | None = None
    for bar in bars:
        same_day = previous is not None and previous.time.date() == bar.time.date()
        step = bar.amount - previous.amount if same_day and previous is not None else bar.amount
        out.append(msgspec.structs.replace(bar, amount=max(step, Decimal(0))))
        previous = bar
    return out


def _fold_years(months: list[KisChartBar]) -> Iterator[KisChartBar]:
    """Monthly bars folded into yearly ones, each stamped at its first month."""
    for _, group in groupby(months, key=lambda bar: bar.time.year):
        bars = list(group)
        yield KisChartBar(
            time=bars[0].time,
            open=bars[0].open,
            high=max(bar.high for bar in bars),
            low=min(bar.low for bar in bars),
            close=bars[-1].close,
            volume=sum(bar.volume for bar in bars),
            amount=sum((bar.amount for bar in bars), Decimal(0)),
        )


def _overseas_minutes(
    stock: StockBase, start: datetime, end: datetime, minutes: int
) -> Generator[Action, Any, list[KisChartBar]]:
    """HHDFS76950200 해외주식분봉조회: up to 120 NMIN-minute bars a call, newest first; the next call sends
    NEXT 1 and KEYB, the local time one interval before the oldest bar received (``YYYYMMDDHHMMSS``)."""
    bars: list[KisChartBar] = []
    keyb = ""
    for _ in range(MAX_PAGES):
        call = overseas_stock.inquire_time_itemchartprice(
            EXCD=stock.info.excd or "",
            SYMB=stock.symbol,
            NMIN=str(minutes),
            PINC="1",
            NEXT="1" if keyb else "",
            NREC="120",
            KEYB=keyb,
        ).call
        envelope = yield from stock._core.request_flow(call)
        body = envelope.decode(OverseasMinuteBody)
        page = overseas_minute_bars(body, stock.timezone)
        if not page:
            break
        bars += page
        oldest = min(bar.time for bar in page)
        _report(stock, (end - oldest) / timedelta(minutes=1), (end - start) / timedelta(minutes=1), "minutes")
        more = body.output1 is not None and body.output1.next.strip() == "1"
        if oldest <= start or not more:
            break
        keyb = (oldest - timedelta(minutes=minutes)).strftime("%Y%m%d%H%M%S")
    return [bar for bar in _ascending_unique(bars) if bar.time <= end]

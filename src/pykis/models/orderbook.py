"""Order books: FHKST01010200 (주식현재가 호가/예상체결, 10 levels) and HHDFS76200100 (해외주식 현재가 호가)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import ClassVar

from pykis.models._base import KisModel, dec, render
from pykis.wire import KisApiRow, _orderbook

__all__ = ["KisOrderbook", "KisOrderbookLevel", "domestic_orderbook", "foreign_orderbook"]


class KisOrderbookLevel(KisModel, frozen=True, kw_only=True):
    """One price level: its price and the resting quantity."""

    price: Decimal
    volume: int

    def __repr__(self, indent: int = 0) -> str:
        return f"KisOrderbookLevel(price={render(self.price)}, volume={self.volume})"


class KisOrderbook(KisModel, frozen=True, kw_only=True):
    """Asks and bids, best first, with their totals and the time of the snapshot."""

    __repr_fields__: ClassVar[tuple[str, ...]] = ("symbol", "market", "time", "asks", "bids")

    symbol: str
    market: str
    time: datetime | None
    asks: tuple[KisOrderbookLevel, ...]
    bids: tuple[KisOrderbookLevel, ...]
    ask_volume: int
    bid_volume: int

    @property
    def ask(self) -> KisOrderbookLevel | None:
        """The best ask."""
        return self.asks[0] if self.asks else None

    @property
    def bid(self) -> KisOrderbookLevel | None:
        """The best bid."""
        return self.bids[0] if self.bids else None


# ---- wire shapes: generated from the catalog (pykis.wire); levels are read by column name ----------------

DomesticOrderbookBody = _orderbook.DomesticStockInquireAskingPriceExpCcnBody
"""FHKST01010200's body: ``output1`` holds the ten levels and the totals."""
ForeignOrderbookBody = _orderbook.OverseasStockInquireAskingPriceBody
"""HHDFS76200100's body: ``output1`` the summary and totals, ``output2`` the levels (one row, or a list of one)."""


def _levels(block: KisApiRow, price: str, volume: str, depth: int) -> tuple[KisOrderbookLevel, ...]:
    levels = []
    for index in range(1, depth + 1):
        level_price = dec(getattr(block, f"{price}{index}", ""))
        if level_price <= 0:
            continue
        levels.append(KisOrderbookLevel(price=level_price, volume=int(dec(getattr(block, f"{volume}{index}", "")))))
    return tuple(levels)


def domestic_orderbook(
    block: _orderbook.DomesticStockInquireAskingPriceExpCcnRow, *, symbol: str, market: str, day: datetime
) -> KisOrderbook:
    """Build from FHKST01010200 ``output1`` (``askp1..10``, ``askp_rsqn1..10``, ``aspr_acpt_hour``)."""
    hour = block.aspr_acpt_hour.strip()
    time = None
    if len(hour) == 6 and hour.isdigit():
        time = day.replace(hour=int(hour[:2]) % 24, minute=int(hour[2:4]), second=int(hour[4:]), microsecond=0)
    return KisOrderbook(
        symbol=symbol,
        market=market,
        time=time,
        asks=_levels(block, "askp", "askp_rsqn", 10),
        bids=_levels(block, "bidp", "bidp_rsqn", 10),
        ask_volume=int(dec(block.total_askp_rsqn)),
        bid_volume=int(dec(block.total_bidp_rsqn)),
    )


def foreign_orderbook(body: ForeignOrderbookBody, *, symbol: str, market: str, day: datetime) -> KisOrderbook:
    """Build from HHDFS76200100: levels in ``output2`` (``pask1``/``vask1``…), totals in ``output1``."""
    levels_block = body.output2
    if isinstance(levels_block, list):
        levels_block = levels_block[0] if levels_block else None
    if levels_block is None:
        levels_block = _orderbook.OverseasStockInquireAskingPriceRow()
    summary = body.output1
    stamp = f"{summary.dymd}{summary.dhms}".strip()
    time = None
    if len(stamp) == 14 and stamp.isdigit():
        time = datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=day.tzinfo)
    return KisOrderbook(
        symbol=symbol,
        market=market,
        time=time,
        asks=_levels(levels_block, "pask", "vask", 10),
        bids=_levels(levels_block, "pbid", "vbid", 10),
        ask_volume=int(dec(summary.avol)),
        bid_volume=int(dec(summary.bvol)),
    )

"""Streams of distinct realtime records, as a live feed sends them, for the decode and every-field rows.

A bench that decodes one record over and over flatters any library that remembers what it decoded (pykis
memoizes price texts, book levels and times: see ``pykis.models._realtime_base``). Every library is therefore
handed the same stream of records that move the way a liquid stock's do: a trade at or one tick away from the
last, a few trades a second; a book update changing three of its twenty levels, the ladder shifting a tick now
and then. The walk is seeded, so every run and every library sees the same records.
"""

from __future__ import annotations

import random

from pykis.models.realtime import column_index

LENGTH = 1000
"""Records per stream: the benches cycle through them."""

TRADES_PER_SECOND = 4
CHANGED_LEVELS = 3
SHIFT_EVERY = 20
"""A book's ladder moves a tick about once in this many updates."""


def _clock(hhmmss: str, step: int) -> str:
    """``hhmmss`` as it reads at record ``step``: a second later every ``TRADES_PER_SECOND`` records."""
    if step % TRADES_PER_SECOND:
        return hhmmss
    total = int(hhmmss[:2]) * 3600 + int(hhmmss[2:4]) * 60 + int(hhmmss[4:6]) + 1
    return f"{total // 3600 % 24:02d}{total // 60 % 60:02d}{total % 60:02d}"


def _at(tr_id: str, name: str) -> int:
    index = column_index(tr_id, name)
    assert index is not None, name
    return index


_TRADE_COLUMNS = {
    "H0STCNT0": (
        *("STCK_PRPR", "PRDY_VRSS", "PRDY_CTRT", "STCK_HGPR", "STCK_LWPR", "ASKP1", "BIDP1", "CNTG_VOL"),
        *("ACML_VOL", "ACML_TR_PBMN", "CTTR", "ASKP_RSQN1", "BIDP_RSQN1", "STCK_CNTG_HOUR", "WGHN_AVRG_STCK_PRC"),
    ),
    "HDFSCNT0": (
        *("LAST", "DIFF", "RATE", "HIGH", "LOW", "PASK", "PBID", "EVOL", "TVOL", "TAMT", "STRN", "VASK", "VBID"),
        *("XHMS", "KHMS"),
    ),
}
"""The columns a trade walk writes, in the order ``_trades`` unpacks them."""


def _trades(tr_id: str, template: str, tick: int, scale: int, rng: random.Random) -> list[str]:
    """Trade ticks: the price walks by ``tick`` (in units of 1/``scale``), volume and value accumulate."""
    fields = template.split("^")
    domestic = tr_id == "H0STCNT0"
    names = _TRADE_COLUMNS[tr_id]
    price_at, change_at, rate_at, high_at, low_at, ask_at, bid_at, qty_at, volume_at = (
        _at(tr_id, name) for name in names[:9]
    )
    amount_at, strength_at, ask_qty_at, bid_qty_at, time_at, last_at = (_at(tr_id, name) for name in names[9:])
    decimals = len(fields[price_at].partition(".")[2])

    def text(units: int) -> str:
        return f"{units / scale:.{decimals}f}" if decimals else str(units)

    price = round(float(fields[price_at]) * scale)
    previous = price - round(float(fields[change_at]) * scale)
    high, low = price, price
    volume, amount = int(fields[volume_at]), int(fields[amount_at])
    records = []
    for step in range(LENGTH):
        price += tick * rng.choice((-1, 0, 0, 1))
        high, low = max(high, price), min(low, price)
        qty = rng.randint(1, 400)
        volume += qty
        amount += qty * price // scale
        fields[price_at], fields[high_at], fields[low_at] = text(price), text(high), text(low)
        fields[change_at] = text(price - previous)
        fields[rate_at] = f"{(price - previous) / previous * 100:.2f}"
        fields[ask_at], fields[bid_at] = text(price + tick), text(price)
        fields[qty_at], fields[volume_at], fields[amount_at] = str(qty), str(volume), str(amount)
        fields[strength_at] = f"{rng.uniform(60, 140):.2f}"
        fields[ask_qty_at], fields[bid_qty_at] = str(rng.randint(1, 30000)), str(rng.randint(1, 30000))
        fields[time_at] = _clock(fields[time_at], step)
        if domestic:  # the average price
            fields[last_at] = f"{amount / volume:.2f}"
        else:  # the time in Seoul
            fields[last_at] = _clock(fields[last_at], step)
        records.append("^".join(fields))
    return records


def _books(template: str, rng: random.Random) -> list[str]:
    """Book updates: a few levels' quantities change each time; the ladder shifts a tick now and then."""
    fields = template.split("^")
    ask_at, bid_at, ask_qty_at, bid_qty_at, hour_at = (
        _at("H0STASP0", name) for name in ("ASKP1", "BIDP1", "ASKP_RSQN1", "BIDP_RSQN1", "BSOP_HOUR")
    )
    best_ask, tick = int(fields[ask_at]), int(fields[ask_at + 1]) - int(fields[ask_at])
    asks = [int(q) for q in fields[ask_qty_at : ask_qty_at + 10]]
    bids = [int(q) for q in fields[bid_qty_at : bid_qty_at + 10]]
    records = []
    for step in range(LENGTH):
        if rng.randrange(SHIFT_EVERY) == 0:  # the ladder moves: one side gains a level, the other loses one
            if rng.random() < 0.5:
                best_ask += tick
                asks, bids = [*asks[1:], rng.randint(100, 5000)], [rng.randint(100, 5000), *bids[:-1]]
            else:
                best_ask -= tick
                asks, bids = [rng.randint(100, 5000), *asks[:-1]], [*bids[1:], rng.randint(100, 5000)]
        for _ in range(CHANGED_LEVELS):
            side = asks if rng.random() < 0.5 else bids
            side[rng.randrange(10)] = rng.randint(100, 5000)
        fields[ask_at : ask_at + 10] = [str(best_ask + tick * level) for level in range(10)]
        fields[bid_at : bid_at + 10] = [str(best_ask - tick * (level + 1)) for level in range(10)]
        fields[ask_qty_at : ask_qty_at + 10] = map(str, asks)
        fields[bid_qty_at : bid_qty_at + 10] = map(str, bids)
        fields[hour_at] = _clock(fields[hour_at], step)
        records.append("^".join(fields))
    return records


def streams(h0stcnt0: str, hdfscnt0: str, h0stasp0: str) -> dict[str, list[str]]:
    """Per TR, ``LENGTH`` records in today's width, walked from the given ones."""
    rng = random.Random(15)
    return {
        "H0STCNT0": _trades("H0STCNT0", h0stcnt0, 100, 1, rng),
        "HDFSCNT0": _trades("HDFSCNT0", hdfscnt0, 100, 10000, rng),
        "H0STASP0": _books(h0stasp0, rng),
    }

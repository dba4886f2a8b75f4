"""The client's tick tables against the emulator's, across every band of every market.

The two keep separate tables (``pykis.exchanges.markets`` and ``pykis.emulator.market``), each written from the
exchange's published rule, so comparing them is the test: the client's pre-send verdict (``check_tick``) must equal the
emulator's answer for every price. Most examples ask the emulator's own grid check in process; a second property
sends the orders over real sockets and reads APBK0515 (off the tick grid) from the wire.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pykis.emulator import Emulator
from pykis.errors import KisPriceError
from pykis.exchanges.markets import market_info, tick_size
from pykis.scopes.orders.rules import Listing, check_tick
from tests.emulator.test_trading import DOM, OVS, account_wire, order_body, overseas_body, post
from tests.properties import examples


@dataclass(frozen=True)
class Case:
    """One listing per tick table, its finest price unit and the published band edges to sweep around."""

    symbol: str
    market: str  # the emulator's market name
    code: str  # the client's market code
    kind: str
    unit: Decimal
    edges: tuple[str, ...]
    exchange: str = ""  # OVRS_EXCG_CD
    tr_id: str = "TTTC0012U"
    lot: int = 1


_KRX = ("2000", "5000", "20000", "50000", "200000", "500000")
_US = ("1",)
CASES = (
    Case("005930", "KOSPI", "KRX", "stock", Decimal(1), _KRX),
    Case("196170", "KOSDAQ", "KRX", "stock", Decimal(1), _KRX),
    Case("069500", "KOSPI", "KRX", "etf", Decimal(1), ("2000",)),
    Case("530036", "KOSPI", "KRX", "etn", Decimal(1), ("2000",)),
    Case("NVDA", "NASDAQ", "NASDAQ", "stock", Decimal("0.0001"), _US, "NASD", "TTTT1002U"),
    Case("KO", "NYSE", "NYSE", "stock", Decimal("0.0001"), _US, "NYSE", "TTTT1002U"),
    Case("SPY", "AMEX", "AMEX", "etf", Decimal("0.0001"), _US, "AMEX", "TTTT1002U"),
    Case(
        "00700",
        "SEHK",
        "HKEX",
        "stock",
        Decimal("0.001"),
        ("0.25", "0.50", "10", "20", "50", "100", "200", "500", "1000", "2000", "5000"),
        "SEHK",
        "TTTS1002U",
        100,
    ),
    Case("600519", "SSE", "SSE", "stock", Decimal("0.01"), ("10", "100"), "SHAA", "TTTS0202U", 100),
    Case("000001", "SZSE", "SZSE", "stock", Decimal("0.01"), ("10", "100"), "SZAA", "TTTS0305U", 100),
    Case(
        "7203",
        "TSE",
        "TYO",
        "stock",
        Decimal(1),
        ("3000", "5000", "30000", "50000", "300000", "500000", "3000000", "5000000", "30000000", "50000000"),
        "TKSE",
        "TTTS0308U",
        100,
    ),
    Case("SHS", "HNX", "HNX", "stock", Decimal(1), ("10000", "50000"), "HASE", "TTTS0311U", 100),
    Case("VNM", "HSX", "HSX", "stock", Decimal(1), ("10000", "50000"), "VNSE", "TTTS0311U", 100),
)


@st.composite
def priced(draw: st.DrawFn) -> tuple[Case, Decimal]:
    """A listing and a positive price: near a band edge (within 25 finest units), or anywhere on a log scale;
    sometimes one decimal finer than the market's finest unit."""
    case = draw(st.sampled_from(CASES))
    unit = case.unit / 10 if draw(st.integers(0, 9)) == 0 else case.unit
    if draw(st.booleans()):
        edge = Decimal(draw(st.sampled_from(case.edges)))
        # Ticks reach 500 finest units at the edges of the coarse tables (HKEX 0.5 in 0.001): step by them too.
        step = unit * draw(st.sampled_from((1, 5, 10, 50, 100, 500)))
        price = edge + step * draw(st.integers(-25, 25))
    else:
        digits = draw(st.integers(0, 9))
        price = unit * draw(st.integers(1, 10 ** (digits + 1)))
    if price <= 0:
        price = unit
    return case, price


def client_accepts(case: Case, price: Decimal) -> bool:
    listing = Listing(case.symbol, market_info(case.code), kind=case.kind, lot_size=case.lot)
    try:
        check_tick(listing, price)
    except KisPriceError as error:
        rule = error.rule
    else:
        return True
    assert rule == "tick"
    return False


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(clock="always-open", realtime=False, real_rate=100_000, virtual_rate=100_000) as running:
        yield running


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


@settings(max_examples=examples(2000), deadline=None)
@given(priced())
def test_client_and_emulator_agree_on_every_band(emu: Emulator, sample: tuple[Case, Decimal]) -> None:
    case, price = sample
    instrument = emu.market.instrument(case.symbol, case.market)
    assert instrument is not None and instrument.kind == case.kind
    assert client_accepts(case, price) == emu.market.on_tick(instrument, price), (case.symbol, str(price))
    if price % case.unit == 0:  # the increment each side reports (what bands a price belongs to, edges included)
        etf = case.kind != "stock" and case.code == "KRX"
        assert tick_size(case.code, price, etf=etf) == emu.market.tick_size(instrument, price), (case.symbol, price)


@settings(max_examples=examples(60), deadline=None)
@given(priced())
def test_client_verdict_matches_the_wire(emu: Emulator, http: httpx.Client, sample: tuple[Case, Decimal]) -> None:
    case, price = sample
    wire = account_wire(
        emu,
        http,
        cash={"KRW": 10**13, "USD": 10**9, "HKD": 10**10, "JPY": 10**13, "CNY": 10**10, "VND": 10**16},
    )
    text = format(price, "f")
    if case.exchange:
        body = post(wire, OVS + "order", case.tr_id, overseas_body(wire, case.exchange, case.symbol, case.lot, text))
    else:
        body = post(wire, DOM + "order-cash", case.tr_id, order_body(wire, case.symbol, case.lot, text))
    off_grid = body["msg_cd"] == "APBK0515"
    assert off_grid == (not client_accepts(case, price)), (case.symbol, text, body["msg_cd"], body["msg1"])
    if not off_grid and case.code in ("NASDAQ", "HKEX"):  # no daily limits: an on-grid price is accepted
        assert body["rt_cd"] == "0", (case.symbol, text, body)


def test_the_reported_hkex_price_is_refused_by_both() -> None:
    """521.55 HKD: off HKEX's 0.50 grid from 500 to 1,000 (the client once took it, the emulator refused it)."""
    tencent = Case("00700", "SEHK", "HKEX", "stock", Decimal("0.001"), (), lot=100)
    assert not client_accepts(tencent, Decimal("521.55"))
    assert client_accepts(tencent, Decimal("521.50")) and client_accepts(tencent, Decimal("19.99"))
    assert client_accepts(tencent, Decimal("20.02")) and not client_accepts(tencent, Decimal("20.01"))

"""Market lookup by any of its names, and the market facts orders rely on."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from pykis.errors import KisValidationError
from pykis.exchanges.markets import MARKETS, krx_tick, market_info, tick_size


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("KRX", "KRX"),
        ("kospi", "KRX"),
        ("KOSDAQ", "KRX"),
        ("KONEX", "KRX"),
        ("NASDAQ", "NASDAQ"),
        ("nas", "NASDAQ"),
        ("NASD", "NASDAQ"),
        ("NYS", "NYSE"),
        ("AMS", "AMEX"),
        ("TSE", "TYO"),
        ("TKSE", "TYO"),
        ("SEHK", "HKEX"),
        ("HKS", "HKEX"),
        ("SHAA", "SSE"),
        ("SZS", "SZSE"),
        ("HASE", "HNX"),
        ("VNSE", "HSX"),
    ],
)
def test_every_name_finds_its_market(name: str, code: str) -> None:
    assert market_info(name).code == code


def test_unknown_markets_are_refused_with_the_choices() -> None:
    with pytest.raises(KisValidationError) as caught:
        market_info("LSE")
    assert str(caught.value) == f"unknown market 'LSE'; expected one of {', '.join(MARKETS)}"


def test_market_facts() -> None:
    krx, nasdaq, tokyo = market_info("KRX"), market_info("NASDAQ"), market_info("TYO")
    assert krx.domestic and not nasdaq.domestic
    assert tokyo.timezone == ZoneInfo("Asia/Tokyo") and tokyo.timezone is market_info("TSE").timezone
    assert (nasdaq.excd, nasdaq.ovrs_excg_cd, nasdaq.daytime_excd, nasdaq.currency) == ("NAS", "NASD", "BAQ", "USD")


@pytest.mark.parametrize(
    ("market", "price", "etf", "tick"),
    [
        ("KRX", "1999", False, "1"),
        ("KRX", "2000", False, "5"),
        ("KRX", "499999", False, "500"),
        ("KRX", "500000", False, "1000"),
        ("KRX", "1999", True, "1"),
        ("KRX", "2000", True, "5"),
        ("KRX", "900000", True, "5"),
        ("NASDAQ", "0.9999", False, "0.0001"),
        ("NYSE", "1", False, "0.01"),
        ("HKEX", "0.25", False, "0.001"),
        ("HKEX", "0.251", False, "0.005"),
        ("HKEX", "20", False, "0.01"),
        ("HKEX", "20.02", False, "0.02"),
        ("HKEX", "5000", False, "2"),
        ("HKEX", "5005", False, "5"),
        ("TYO", "3000", False, "1"),
        ("TYO", "3005", False, "5"),
        ("TYO", "50000000", False, "50000"),
        ("TYO", "50100000", False, "100000"),
        ("HSX", "9990", False, "10"),
        ("HSX", "10000", False, "50"),
        ("HSX", "50000", False, "100"),
        ("HNX", "1000", False, "100"),
        ("SSE", "1450.01", False, "0.01"),
        ("SZSE", "3", False, "0.01"),
    ],
)
def test_tick_sizes_at_the_band_edges(market: str, price: str, etf: bool, tick: str) -> None:
    assert tick_size(market, Decimal(price), etf=etf) == Decimal(tick)
    if market == "KRX":
        assert krx_tick(Decimal(price), etf=etf) == Decimal(tick)


def test_stocks_are_the_default() -> None:
    # Quotes ask for the tick without saying whether the listing is an ETF: the stock table answers.
    assert krx_tick(Decimal(70000)) == Decimal(100)
    assert tick_size("KRX", Decimal(70000)) == Decimal(100)

"""The order rules checked before anything is sent: each refusal's type, rule and message, each answer exact."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pykis.errors import KisOrderTypeError, KisPriceError, KisQuantityError
from pykis.exchanges.markets import market_info
from pykis.scopes.orders.rules import (
    Listing,
    check_limits,
    check_tick,
    check_virtual,
    domestic_order_type,
    foreign_order_type,
    marketable,
    to_price,
    to_qty,
    wire_price,
)

SAMSUNG = Listing("005930", market_info("KRX"))
KODEX = Listing("069500", market_info("KRX"), kind="ETF")
NVDA = Listing("NVDA", market_info("NASDAQ"))
TENCENT = Listing("00700", market_info("HKEX"), lot_size=100)
NO_TYPE = "no domestic order type for condition="


@pytest.mark.parametrize(("value", "qty"), [(1, 1), ("7", 7), (Decimal("3"), 3), (2.0, 2), ("1e2", 100)])
def test_quantities(value: object, qty: int) -> None:
    assert to_qty(value) == qty  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "message", "rule"),
    [
        (None, "quantity must be a number, got None", "quantity"),
        (True, "quantity must be a number, got True", "quantity"),
        ("x", "quantity must be a number, got 'x'", "quantity"),
        ([1], "quantity must be a number, got [1]", "quantity"),
        (1.5, "quantity must be a whole number of shares, got 1.5", "quantity"),
        (Decimal("Infinity"), "quantity must be a whole number of shares, got Decimal('Infinity')", "quantity"),
        (0, "quantity must be positive, got 0", "quantity"),
        (-3, "quantity must be positive, got -3", "quantity"),
    ],
)
def test_bad_quantities(value: object, message: str, rule: str) -> None:
    with pytest.raises(KisQuantityError) as caught:
        to_qty(value)  # type: ignore[arg-type]
    assert (str(caught.value), caught.value.rule) == (f"{message} [rule: {rule}]", rule)


def test_lots() -> None:
    assert to_qty(200, 100) == 200 and to_qty(1, 1) == 1
    with pytest.raises(KisQuantityError) as caught:
        to_qty(150, 100)
    assert (str(caught.value), caught.value.rule) == (
        "quantity 150 is not a multiple of the lot size 100 [rule: lot]",
        "lot",
    )


def test_prices() -> None:
    assert to_price(None) is None
    assert to_price(1.1) == Decimal("1.1")  # through str: no binary tail
    assert to_price("70000") == Decimal(70000) and to_price(5) == Decimal(5)
    for bad, text in (("x", "price must be a number, got 'x'"), ([1], "price must be a number, got [1]")):
        with pytest.raises(KisPriceError) as caught:
            to_price(bad)  # type: ignore[arg-type]
        assert (str(caught.value), caught.value.rule) == (f"{text} [rule: price]", "price")
    nonpositive: tuple[tuple[object, str], ...] = (
        (0, "0"),
        (-1, "-1"),
        (Decimal("NaN"), "Decimal('NaN')"),
        ("Infinity", "'Infinity'"),
    )
    for value, shown in nonpositive:
        with pytest.raises(KisPriceError) as refused:
            to_price(value)  # type: ignore[arg-type]
        assert str(refused.value) == f"price must be positive, got {shown} [rule: price]"


def test_ticks_and_limits() -> None:
    check_tick(SAMSUNG, Decimal(70000))
    check_tick(KODEX, Decimal(55005))  # the ETF table: 5 won
    with pytest.raises(KisPriceError) as caught:
        check_tick(SAMSUNG, Decimal(70050))
    assert (str(caught.value), caught.value.rule) == (
        "70050 is not on the KRX tick grid (100 at this price) [rule: tick]",
        "tick",
    )
    check_limits(SAMSUNG, Decimal(100), Decimal(100), Decimal(200))
    check_limits(SAMSUNG, Decimal(200), Decimal(100), Decimal(200))
    check_limits(NVDA, Decimal(5), Decimal(0), Decimal(0))  # no daily limits
    for outside in (Decimal(99), Decimal(201)):
        with pytest.raises(KisPriceError) as limit:
            check_limits(SAMSUNG, outside, Decimal(100), Decimal(200))
        assert (str(limit.value), limit.value.rule) == (
            f"{outside} is outside 005930's daily limits 100~200 [rule: price_limit]",
            "price_limit",
        )


@pytest.mark.parametrize(
    ("condition", "execution", "has_price", "exchange", "code"),
    [
        (None, None, True, "KRX", "00"),
        (None, None, False, "SOR", "01"),
        ("best", None, True, "KRX", "03"),
        ("best", None, False, "KRX", "03"),
        (None, "IOC", True, "KRX", "11"),
        ("gtp", None, True, "NXT", "27"),
        ("before", None, False, "KRX", "05"),
    ],
)
def test_domestic_order_types(
    condition: str | None, execution: str | None, has_price: bool, exchange: str, code: str
) -> None:
    assert domestic_order_type(condition, execution, has_price, exchange) == code


@pytest.mark.parametrize(
    ("args", "message", "rule"),
    [
        ((None, None, True, "KOSPI"), "exchange must be KRX, NXT or SOR, got 'KOSPI'", "exchange"),
        (
            ("best", "GTC", True, "KRX"),
            "no domestic order type for condition='best', execution='GTC' with a price",
            "order_type",
        ),
        (
            ("before", None, True, "KRX"),
            "no domestic order type for condition='before', execution=None with a price",
            "order_type",
        ),
        (
            ("x", None, False, "KRX"),
            "no domestic order type for condition='x', execution=None without a price",
            "order_type",
        ),
        (("gtp", None, True, "KRX"), "gtp orders (ORD_DVSN 27) trade on NXT only", "exchange"),
        (("before", None, False, "NXT"), "before orders (ORD_DVSN 05) trade on KRX only", "exchange"),
        (("after_market", None, True, "SOR"), "after_market orders (ORD_DVSN 41) trade on KRX only", "exchange"),
    ],
)
def test_domestic_order_type_refusals(args: tuple[str | None, str | None, bool, str], message: str, rule: str) -> None:
    with pytest.raises(KisOrderTypeError) as caught:
        domestic_order_type(*args)
    assert (str(caught.value), caught.value.rule) == (f"{message} [rule: {rule}]", rule)


def test_foreign_order_types() -> None:
    assert foreign_order_type(NVDA, "buy", None, None, False) == "00"
    assert foreign_order_type(NVDA, "sell", "MOC", None, False) == "33"
    assert foreign_order_type(NVDA, "buy", "LOO", None, False) == "32"
    assert foreign_order_type(NVDA, "buy", None, None, True) == "00"
    assert foreign_order_type(TENCENT, "buy", None, None, False) == "00"
    refusals = [
        ((NVDA, "buy", None, "IOC", False), "NASDAQ takes no IOC/FOK orders", "order_type"),
        ((TENCENT, "buy", None, None, True), "HKEX has no daytime session; only US exchanges do", "order_type"),
        ((NVDA, "buy", "LOO", None, True), "US daytime orders are limit orders only", "order_type"),
        ((NVDA, "buy", "MOC", None, False), "US exchanges take no buy orders with condition='MOC'", "order_type"),
        ((TENCENT, "sell", "LOC", None, False), "HKEX takes limit orders only, got condition='LOC'", "order_type"),
    ]
    for args, message, rule in refusals:
        with pytest.raises(KisOrderTypeError) as caught:
            foreign_order_type(*args)
        assert (str(caught.value), caught.value.rule) == (f"{message} [rule: {rule}]", rule)


def test_the_virtual_service_rules() -> None:
    for code in ("00", "01", "02", "03", "04"):
        check_virtual(SAMSUNG, code, "KRX", False)
    check_virtual(NVDA, "00", "", False)
    refusals = [
        ((SAMSUNG, "05", "KRX", False), "the virtual service does not take ORD_DVSN 05"),
        ((SAMSUNG, "00", "NXT", False), "the virtual service routes to KRX only, not NXT"),
        ((NVDA, "32", "", False), "the virtual service takes overseas limit orders (00) only"),
        ((NVDA, "00", "", True), "the virtual service takes overseas limit orders (00) only"),
    ]
    for args, message in refusals:
        with pytest.raises(KisOrderTypeError) as caught:
            check_virtual(*args)
        assert (str(caught.value), caught.value.rule) == (f"{message} [rule: virtual]", "virtual")


def test_marketable_prices() -> None:
    # 5 % through the last price, on the grid (buys round up, sells down), inside the limits.
    assert marketable(SAMSUNG, "buy", Decimal(0), Decimal(0), Decimal(70000)) == Decimal(73500)
    assert marketable(SAMSUNG, "sell", Decimal(0), Decimal(0), Decimal(70000)) == Decimal(66500)
    assert marketable(SAMSUNG, "buy", Decimal(0), Decimal(0), Decimal(70100)) == Decimal(73700)  # 73605 up
    assert marketable(SAMSUNG, "sell", Decimal(0), Decimal(0), Decimal(70100)) == Decimal(66500)  # 66595 down
    assert marketable(SAMSUNG, "buy", Decimal(50000), Decimal(72000), Decimal(70000)) == Decimal(72000)
    assert marketable(SAMSUNG, "sell", Decimal(68000), Decimal(90000), Decimal(70000)) == Decimal(68000)
    assert marketable(NVDA, "buy", Decimal(0), Decimal(0), Decimal("100.01")) == Decimal("105.02")
    with pytest.raises(KisOrderTypeError) as caught:
        marketable(SAMSUNG, "buy", Decimal(0), Decimal(0), Decimal(0))
    assert str(caught.value) == "no last price for 005930; pass a price [rule: order_type]"


def test_wire_prices() -> None:
    assert (wire_price(None), wire_price(Decimal("1E+3")), wire_price(Decimal("0.5500"))) == ("0", "1000", "0.5500")


def test_prices_below_one() -> None:
    # Penny stocks: every rule must hold between 0 and 1 too.
    assert to_price("0.5") == Decimal("0.5") and to_price(Decimal("0.0001")) == Decimal("0.0001")
    assert marketable(NVDA, "buy", Decimal(0), Decimal(0), Decimal("0.5")) == Decimal("0.5250")
    check_limits(NVDA, Decimal("0.5"), Decimal("0.4"), Decimal("0.6"))
    with pytest.raises(KisPriceError):
        check_limits(NVDA, Decimal("0.7"), Decimal("0.4"), Decimal("0.6"))
    assert marketable(NVDA, "buy", Decimal("0.4"), Decimal("0.6"), Decimal("0.59")) == Decimal("0.6")

"""Accounts and trading end to end: pykis's clients (blocking and asyncio) against the emulator, real and virtual.

The emulator's clock is frozen (re-set to the wall clock at the start of each test) with every market open, so
the order book stands still while a test trades: a limit order at the best ask fills the displayed quantity and
no more. Each test trades fresh accounts of its own (new apps registered with the gateway).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time as wall
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pykis import (
    AsyncPyKis,
    KisAuth,
    KisIntegrationBalance,
    KisOrder,
    KisOrderRejectedError,
    KisOrderUnknownError,
    PyKis,
)
from pykis.emulator import Emulator
from pykis.emulator.clock import FrozenClock
from pykis.emulator.gateway import AppCredential, EnvName
from pykis.emulator.instruments import Instrument
from pykis.emulator.market import Market
from pykis.errors import (
    KisInsufficientError,
    KisOrderTypeError,
    KisOrderValidationError,
    KisPriceError,
    KisQuantityError,
)
from pykis.exchanges.markets import market_info
from pykis.scopes.orders import send
from pykis.scopes.orders.rules import KST, Listing, check_session

KST_ORDER_PATH = "/uapi/domestic-stock/v1/trading/order-cash"
OVERSEAS_ORDER_PATH = "/uapi/overseas-stock/v1/trading/order"
MODES = ("real", "virtual")
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def emu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    clock = FrozenClock(datetime.now(UTC))
    market = Market(clock, seed=20240101, always_open=True)
    with Emulator(
        clock=clock, market=market, real_rate=1000, virtual_rate=1000, secrets_dir=tmp_path_factory.mktemp("s")
    ) as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def now(emu: Emulator) -> None:
    # A second of its own per test: the book shown at one instant is shared by every account trading in it.
    emu.clock.set(max(datetime.now(UTC), emu.clock.now() + timedelta(seconds=1)))


def _app(emu: Emulator, env: str, positions: tuple[tuple[str, str, int, str], ...], cash: dict[str, int]) -> KisAuth:
    n = next(_numbers)
    number = f"{'50' if env == 'virtual' else '67'}{n:06d}-01"
    app = AppCredential(env, f"PT{n:034d}", f"{n:0180d}", f"trader{n}", number)  # type: ignore[arg-type]
    emu.gateway.register(app)
    emu.server.engine.open_account(number, cash=cash, positions=positions)
    info = emu.real if env == "real" else emu.virtual
    return app.auth(info.rest_url, info.ws_url)


DEMO = (("000660", "KOSPI", 14, "540000"), ("005930", "KOSPI", 118, "71000"), ("NVDA", "NASDAQ", 20, "165.50"))
CASH = {"KRW": 100_000_000, "USD": 100_000, "HKD": 1_000_000, "JPY": 10_000_000}


def client(
    emu: Emulator,
    mode: str,
    positions: tuple[tuple[str, str, int, str], ...] = DEMO,
    cash: dict[str, int] | None = None,
    **options: Any,
) -> PyKis:
    """A client whose trading account is fresh; in virtual mode quotes still come from the real side."""
    real = _app(emu, "real", positions, cash or CASH)
    args = [real] if mode == "real" else [real, _app(emu, "virtual", positions, cash or CASH)]
    return PyKis(*args, keep_token=False, rate_limit=1000, virtual_rate_limit=1000, **options)


def async_client(emu: Emulator, mode: str, **options: Any) -> AsyncPyKis:
    real = _app(emu, "real", DEMO, CASH)
    args = [real] if mode == "real" else [real, _app(emu, "virtual", DEMO, CASH)]
    return AsyncPyKis(*args, keep_token=False, rate_limit=1000, virtual_rate_limit=1000, **options)


def engine_orders(emu: Emulator, kis: PyKis | AsyncPyKis) -> list[Any]:
    return emu.server.engine.orders(str(kis.primary_account))


def instrument_of(emu: Emulator, symbol: str, market: str | None = None) -> Instrument:
    instrument = emu.market.instrument(symbol, market)
    assert instrument is not None
    return instrument


def resting_price(emu: Emulator, symbol: str, market: str | None = None, steps: int = 20) -> Decimal:
    """A limit buy price ``steps`` ticks under the market: it rests."""
    instrument = emu.market.instrument(symbol, market)
    assert instrument is not None
    price = emu.market.quote(symbol, market).price
    for _ in range(steps):
        price = emu.market.round_price(instrument, price - emu.market.tick_size(instrument, price) / 2, "down")
    return price


# ------------------------------------------------------------------------------------------------ the seed README


@pytest.mark.parametrize("mode", MODES)
def test_seed_readme_balance_and_orders(emu: Emulator, mode: str) -> None:
    with client(emu, mode) as kis:
        account = kis.account()
        assert account.account_number == kis.primary_account
        balance = account.balance()
        assert isinstance(balance, KisIntegrationBalance)
        text = repr(balance)
        # The seed's shape: the balance on many lines, each deposit and stock on one line.
        assert text.startswith(f"KisIntegrationBalance(\n    account_number=KisAccountNumber('{kis.primary_account}'),")
        assert re.search(
            r"\n        'KRW': KisDomesticDeposit\(account_number=KisAccountNumber\('[\d-]+'\), "
            r"currency='KRW', amount=100000000, exchange_rate=1\),\n",
            text,
        )
        assert "'USD': KisForeignPresentDeposit(" in text and "exchange_rate=1400)" in text
        assert re.search(
            r"KisDomesticBalanceStock\(account_number=KisAccountNumber\('[\d-]+'\), market='KRX', "
            r"symbol='000660', qty=14, price=\d+, amount=\d+, profit=-?\d+, profit_rate=-?[\d.]+\)",
            text,
        )
        assert "KisForeignBalanceStock(" in text and "symbol='NVDA', qty=20" in text
        for name in ("purchase_amount=", "current_amount=", "profit=", "profit_rate="):
            assert f"\n    {name}" in text
        assert "E+" not in text
        hynix = balance.stock("000660")
        assert hynix is not None and hynix.orderable == 14
        assert hynix.purchase_amount == 14 * 540000

        stock = kis.stock("000660")
        bought: KisOrder = stock.buy(qty=1)  # 1 share at the market
        assert (bought.side, bought.qty, bought.price, bought.market, bought.order_type) == (
            "buy",
            1,
            None,
            "KRX",
            "01",
        )
        assert len(bought.number) == 10 and len(bought.branch) == 5 and bought.time.tzinfo is not None
        assert not bought.pending  # filled against the book at once
        limit = resting_price(emu, "000660")
        order = stock.buy(price=limit, qty=1)
        assert order.pending
        pending = order.pending_order
        assert pending is not None and pending.pending_qty == 1 and pending.executed_qty == 0
        tick = emu.market.tick_size(instrument_of(emu, "000660"), limit)
        order = order.modify(price=limit - tick)  # 단가 정정: a new number naming the original
        assert order.kind == "modify" and order.price == limit - tick and order.original_number is not None
        assert order.pending
        for open_order in account.pending_orders():
            open_order.cancel()
        assert len(account.pending_orders()) == 0
        sold = stock.sell()  # everything sellable, at the market
        assert sold.qty == 15 and sold.order_type == "01"
        assert account.sellable_quantity("000660") == 0
        # The market buy, the limit buy, its modify, the cancel and the sell: each sent exactly once.
        assert [o.kind for o in engine_orders(emu, kis)] == ["new", "new", "modify", "cancel", "new"]


@pytest.mark.parametrize("mode", MODES)
def test_sell_all_at_a_limit_and_partial_fill_modify_and_cancel(emu: Emulator, mode: str) -> None:
    with client(emu, mode, cash={"KRW": 2_000_000_000}) as kis:
        stock = kis.stock("005930")
        book = emu.market.orderbook("005930")
        best, shown = book.asks[0].price, book.asks[0].qty
        order = stock.buy(price=best, qty=shown + 5)  # takes the displayed level, the rest rests
        pending = order.pending_order
        assert pending is not None
        assert 0 < pending.executed_qty <= shown and pending.pending_qty == shown + 5 - pending.executed_qty
        rest = pending.pending_qty
        tick = emu.market.tick_size(instrument_of(emu, "005930"), best)
        # Move 2 of the remaining shares one tick down, then cancel 1 of the rest, then everything.
        moved = order.modify(price=best - tick, qty=2)
        assert moved.qty == 2
        after = order.pending_order
        assert after is not None and after.pending_qty == rest - 2
        order.cancel(qty=1)
        assert order.pending_order is not None and order.pending_order.pending_qty == rest - 3
        for open_order in kis.account().pending_orders(market="KRX"):
            open_order.cancel()
        assert not order.pending and not moved.pending
        daily = kis.account().daily_orders(market="KRX")
        first = daily.order(order.number)
        assert first is not None and first.executed_qty == pending.executed_qty and first.pending_qty == 0
        assert {o.kind for o in daily.orders} == {"new", "modify", "cancel"}
        # Sell everything sellable at a limit: the seed's hynix.sell(price=…).
        held = kis.account().sellable_quantity("005930")
        limit = emu.market.quote("005930").price
        sold = stock.sell(price=limit)
        assert sold.qty == held and sold.price == limit


# ------------------------------------------------------------------------------------------------ order types


DOMESTIC_TYPES: list[tuple[dict[str, Any], bool, str]] = [
    ({}, True, "00"),
    ({}, False, "01"),
    ({"condition": "best"}, False, "03"),
    ({"condition": "priority"}, False, "04"),
    ({"condition": "before"}, False, "05"),
    ({"condition": "after"}, False, "06"),
    ({"condition": "extended"}, True, "07"),
    ({"execution": "IOC"}, True, "11"),
    ({"execution": "FOK"}, True, "12"),
    ({"execution": "IOC"}, False, "13"),
    ({"execution": "FOK"}, False, "14"),
    ({"condition": "best", "execution": "IOC"}, False, "15"),
    ({"condition": "best", "execution": "FOK"}, False, "16"),
    ({"condition": "midpoint"}, False, "21"),
    ({"condition": "midpoint", "execution": "IOC"}, False, "23"),
    ({"condition": "midpoint", "execution": "FOK"}, False, "24"),
    ({"condition": "gtp", "exchange": "NXT"}, True, "27"),
    ({"condition": "gtp_best", "exchange": "NXT"}, False, "28"),
    ({"condition": "gtp_priority", "exchange": "NXT"}, False, "29"),
    ({"condition": "after_market"}, True, "41"),
    ({"condition": "after_market", "execution": "IOC"}, True, "42"),
    ({"condition": "after_market", "execution": "FOK"}, True, "43"),
    ({"condition": "after_market_best"}, False, "44"),
    ({"condition": "after_market_best", "execution": "IOC"}, False, "45"),
    ({"condition": "after_market_best", "execution": "FOK"}, False, "46"),
    ({"condition": "after_market_priority"}, False, "47"),
    ({"exchange": "NXT"}, True, "00"),
    ({"exchange": "SOR"}, False, "01"),
]


@pytest.mark.parametrize("mode", MODES)
def test_each_domestic_order_type(emu: Emulator, mode: str) -> None:
    with client(emu, mode) as kis:
        stock = kis.stock("005930")
        price = emu.market.quote("005930").price
        for options, priced, code in DOMESTIC_TYPES:
            before = len(engine_orders(emu, kis))
            allowed = mode == "real" or (
                code in {"00", "01", "02", "03", "04"} and options.get("exchange") in (None, "KRX")
            )
            if not allowed:
                with pytest.raises(KisOrderTypeError) as refused:
                    stock.buy(price=price if priced else None, qty=1, **options)
                assert refused.value.rule == "virtual"
                assert len(engine_orders(emu, kis)) == before  # refused before anything was sent
                continue
            order = stock.buy(price=price if priced else None, qty=1, **options)
            assert order.order_type == code, options
            assert order.exchange == options.get("exchange", "KRX")
            assert len(engine_orders(emu, kis)) == before + 1
        for open_order in kis.account().pending_orders():
            open_order.cancel()


@pytest.mark.parametrize("mode", MODES)
def test_overseas_orders(emu: Emulator, mode: str) -> None:
    with client(emu, mode, positions=(("NVDA", "NASDAQ", 20, "100"), ("KO", "NYSE", 10, "50"))) as kis:
        nvda = kis.stock("NVDA")
        low = resting_price(emu, "NVDA", "NASDAQ")
        order = nvda.buy(price=low, qty=Decimal(2))
        assert (order.market, order.exchange, order.order_type, order.currency) == ("NASDAQ", "NASD", "00", "USD")
        assert order.pending and order.pending_order is not None
        assert order.modify(price=low - Decimal("0.01")).pending
        market_buy = nvda.buy(qty=1)  # a marketable limit (no market type abroad)
        assert market_buy.price is not None and not market_buy.pending
        sold = nvda.sell()  # every sellable share
        assert sold.qty == 21
        ko = kis.stock("KO")
        if mode == "real":
            for condition, side, code in (
                ("LOO", "buy", "32"),
                ("LOC", "buy", "34"),
                ("MOO", "sell", "31"),
                ("MOC", "sell", "33"),
                ("TWAP", "sell", "35"),
                ("VWAP", "buy", "36"),
            ):
                price = None if condition in ("MOO", "MOC", "TWAP") else emu.market.quote("KO", "NYSE").price
                placed = ko.order(side, price, 1, condition=condition, start=time(10), end=time(15))  # type: ignore[arg-type]
                assert placed.order_type == code
                held = emu.server.engine.order(placed.number)
                assert held is not None
                window = (held.window_start, held.window_end)
                if code in ("35", "36"):  # START_TIME/END_TIME reached the server as the local window
                    assert [at and (at.hour, at.minute) for at in window] == [(10, 0), (15, 0)]
                else:
                    assert window == (None, None)
            day = nvda.buy(price=low, qty=1, daytime=True)
            assert day.pending
            day.cancel()
        else:
            with pytest.raises(KisOrderTypeError):
                ko.buy(price=emu.market.quote("KO", "NYSE").price, qty=1, condition="LOO")
            with pytest.raises(KisOrderTypeError):
                nvda.buy(price=low, qty=1, daytime=True)
        for symbol, market, qty in (("00700", "HKEX", 100), ("7203", "TYO", 100)):
            stock = kis.stock(symbol, market)
            placed = stock.buy(price=resting_price(emu, symbol, stock.info.excd), qty=qty)
            assert placed.market == market and placed.pending
        pending = kis.account().pending_orders()
        assert {o.market for o in pending} >= {"NASDAQ", "HKEX", "TYO"}
        for open_order in pending:
            open_order.cancel()
        assert len(kis.account().pending_orders()) == 0


# ------------------------------------------------------------------------------------------------ validation


@pytest.mark.parametrize("mode", MODES)
def test_validation_refuses_before_sending(emu: Emulator, mode: str, private_cache: Path) -> None:
    with client(emu, mode, cash={"KRW": 1_000_000, "USD": 100, "HKD": 1_000_000}) as kis:
        stock = kis.stock("000660")
        quote = emu.market.quote("000660")
        cases: list[tuple[Any, type[KisOrderValidationError], str]] = [
            (lambda: stock.buy(price=quote.price + 1, qty=1), KisPriceError, "tick"),
            (lambda: stock.buy(price=quote.upper_limit + 1000, qty=1), KisPriceError, "price_limit"),
            (lambda: stock.buy(price=quote.price, qty=0), KisQuantityError, "quantity"),
            (lambda: stock.buy(price=quote.price, qty=-3), KisQuantityError, "quantity"),
            (lambda: stock.buy(price=quote.price, qty=1.5), KisQuantityError, "quantity"),
            (lambda: stock.buy(price=quote.price, qty=100), KisInsufficientError, "cash"),
            (lambda: stock.sell(price=quote.price, qty=15), KisInsufficientError, "shares"),
            (lambda: stock.buy(price=quote.price, qty=1, condition="LOO"), KisOrderTypeError, "order_type"),
            (lambda: stock.buy(price=quote.price, qty=1, condition="gtp"), KisOrderTypeError, "exchange"),
            (lambda: kis.stock("NVDA").buy(qty=1, condition="MOO"), KisOrderTypeError, "order_type"),
            (lambda: kis.stock("NVDA").buy(price="1.001", qty=1), KisPriceError, "tick"),
            (lambda: kis.stock("NVDA").buy(price="100.00", qty=1, execution="IOC"), KisOrderTypeError, "order_type"),
            (
                lambda: kis.stock("00700", "HKEX").buy(price=resting_price(emu, "00700", "SEHK"), qty=150),
                KisQuantityError,
                "lot",
            ),
            (lambda: kis.stock("035720").sell(), KisInsufficientError, "shares"),
        ]
        for make, kind, rule in cases:
            before = len(engine_orders(emu, kis))
            with pytest.raises(kind) as caught:
                make()
            assert caught.value.rule == rule, (caught.value, rule)
            assert rule in str(caught.value)
            assert len(engine_orders(emu, kis)) == before
        assert stock.buy(price=quote.price, qty=1.0).qty == 1  # exact floats and Decimals are fine
        # The server's own refusal is a typed error too, and nothing was placed.
        with pytest.raises(KisOrderRejectedError) as rejected:
            stock.sell(price=quote.price, qty=15, precheck=False)
        refusal = rejected.value
        assert (refusal.rt_cd, refusal.msg_cd, refusal.status) == ("1", "APBK0400", 200)
        assert refusal.msg1 and refusal.tr_id in ("TTTC0011U", "VTTC0011U")
        # The journal keeps the refused order as rejected, without a number.
        (journal,) = (private_cache / "orders").glob("*.jsonl")
        last = json.loads(journal.read_text("utf-8").splitlines()[-1])
        assert (last["side"], last["qty"], last["status"], last["number"]) == ("sell", 15, "rejected", None)


def test_session_rules() -> None:
    krx = Listing("005930", market_info("KRX"))
    nvda = Listing("NVDA", market_info("NASDAQ"))
    monday = datetime(2026, 10, 5, tzinfo=KST)
    check_session(krx, "00", "KRX", False, monday.replace(hour=10))
    check_session(krx, "41", "KRX", False, monday.replace(hour=17))
    check_session(krx, "27", "NXT", False, monday.replace(hour=8, minute=10))
    check_session(nvda, "00", "NASD", True, monday.replace(hour=11))
    for listing, code, venue, daytime, at in (
        (krx, "00", "KRX", False, monday.replace(hour=16)),
        (krx, "41", "KRX", False, monday.replace(hour=10)),
        (krx, "05", "KRX", False, monday.replace(hour=9)),
        (krx, "00", "KRX", False, monday + timedelta(days=5, hours=10)),  # Saturday
        (nvda, "00", "NASD", True, monday.replace(hour=20)),
    ):
        with pytest.raises(KisOrderTypeError) as refused:
            check_session(listing, code, venue, daytime, at)
        assert refused.value.rule == "session"


# ------------------------------------------------------------------------------------------------ history


@pytest.mark.parametrize("mode", MODES)
def test_history_profit_amounts_and_sellable(emu: Emulator, mode: str) -> None:
    with client(emu, mode) as kis:
        account = kis.account()
        kis.stock("000660").sell(qty=4)
        kis.stock("NVDA").sell(qty=5)
        today = kis.now().date()
        daily = account.daily_orders()
        assert [(o.symbol, o.executed_qty) for o in daily.orders] == [("000660", 4), ("NVDA", 5)]
        # A year back: TTTC0081R for the last three months, CTSC9215R windows before (the emulator refuses
        # a TR used outside its range, so this also proves the split).
        assert len(account.daily_orders(today - timedelta(days=400), today)) == 2
        assert len(account.daily_orders(date(2020, 1, 1), date(2020, 6, 30))) == 0
        profits = account.profits(today - timedelta(days=30))
        assert profits.estimated is (mode == "virtual")
        symbols = {p.symbol: p for p in profits.orders}
        assert set(symbols) == {"000660", "NVDA"} and symbols["000660"].qty == 4
        assert symbols["NVDA"].exchange_rate == 1400 and symbols["000660"].buy_price == 540000
        assert profits.profit == sum(p.profit * p.exchange_rate for p in profits.orders)
        amount = account.orderable_amount("005930", 70000)
        assert amount.currency == "KRW" and 0 < amount.qty <= amount.amount / 70000
        market_amount = account.orderable_amount("005930")
        assert market_amount.unit_price > 0
        usd = account.orderable_amount("NVDA", "100")
        assert usd.currency == "USD" and usd.qty == int(usd.amount / Decimal("100.25"))  # 0.25 % commission
        assert account.sellable_quantity("000660") == 10
        assert account.sellable_quantity("NVDA") == 15
        quote = emu.market.quote("000660")
        kis.stock("000660").sell(price=quote.price + 10 * quote.tick, qty=2)  # rests: 2 shares committed
        assert account.sellable_quantity("000660") == 8


@pytest.mark.parametrize("mode", MODES)
def test_balance_pages_through_many_positions(emu: Emulator, mode: str) -> None:
    symbols = [i.symbol for i in emu.market.instruments() if i.domestic and not i.halted][:55]
    held = (*((s, "KOSPI", 1, "1000") for s in symbols), ("AAPL", "NASDAQ", 3, "200"))
    with client(emu, mode, positions=held) as kis:
        balance = kis.account().balance()
        assert len(balance.stocks) == 56
        assert len({(s.market, s.symbol) for s in balance.stocks}) == 56  # nothing twice


# ------------------------------------------------------------------------------------------------ order safety


@pytest.mark.parametrize("mode", MODES)
def test_a_lost_order_answer_is_settled_from_the_days_orders(emu: Emulator, mode: str) -> None:
    with client(emu, mode) as kis:
        stock = kis.stock("005930")
        price = resting_price(emu, "005930")
        env: EnvName = "virtual" if mode == "virtual" else "real"
        emu.faults.drop_rest(count=1, env=env, path=KST_ORDER_PATH)  # placed, then the reply is lost
        order = stock.buy(price=price, qty=3)
        placed = [o for o in engine_orders(emu, kis) if o.kind == "new"]
        assert len(placed) == 1  # exactly one order: never resent
        assert order.number == placed[0].order_no and order.branch == placed[0].branch
        assert order.client_id is not None and order.pending
        # The same again: the journal keeps the first number from being taken for the second order.
        emu.faults.drop_rest(count=1, env=env, path=KST_ORDER_PATH)
        second = stock.buy(price=price, qty=3)
        assert second.number != order.number
        assert len([o for o in engine_orders(emu, kis) if o.kind == "new"]) == 2


def test_a_slow_order_answer_is_settled_or_reported_unknown(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    with client(emu, "real", timeout=0.3) as kis:
        stock = kis.stock("NVDA")
        price = resting_price(emu, "NVDA", "NASDAQ")
        # The server holds the order 0.8 s before taking it; the client gives up after 0.3 s and looks for it.
        emu.faults.delay_rest(seconds=0.8, count=1, path=OVERSEAS_ORDER_PATH)
        order = stock.buy(price=price, qty=1)
        assert [o.order_no for o in engine_orders(emu, kis)] == [order.number]
        # Too slow to be found within the resolution window: a typed "unknown" error, never a resend.
        monkeypatch.setattr(send, "RESOLVE_DELAYS", (0.05,))
        emu.faults.delay_rest(seconds=1.5, count=1, path=OVERSEAS_ORDER_PATH)
        with pytest.raises(KisOrderUnknownError) as unknown:
            stock.buy(price=price, qty=2)
        error = unknown.value
        assert (error.symbol, error.side, error.qty, error.price, error.candidates) == ("NVDA", "buy", 2, price, ())
        assert "unknown" in str(error) and error.client_id in str(error)
        wall.sleep(1.6)
        assert len(engine_orders(emu, kis)) == 2  # the server took it later: exactly one, as the error warned


# ------------------------------------------------------------------------------------------------ asyncio


@pytest.mark.parametrize("mode", MODES)
def test_asyncio_account_and_orders(emu: Emulator, mode: str) -> None:
    async def main() -> None:
        async with async_client(emu, mode) as kis:
            account = kis.account()
            balance = await account.balance()
            assert balance.stock("000660") is not None and "KRW" in balance.deposits
            stock = await kis.stock("000660")
            order = await stock.buy(price=resting_price(emu, "000660"), qty=2)
            assert await order.pending
            pending = await order.pending_order
            assert pending is not None and pending.pending_qty == 2
            modified = await order.modify(qty=1)
            assert modified.qty == 1
            for open_order in await account.pending_orders():
                await open_order.cancel()
            assert len(await account.pending_orders()) == 0
            sold = await stock.sell()
            assert sold.qty == 14
            env: EnvName = "virtual" if mode == "virtual" else "real"
            emu.faults.drop_rest(count=1, env=env, path=KST_ORDER_PATH)
            lost = await stock.buy(qty=1)
            assert lost.number == engine_orders(emu, kis)[-1].order_no
            assert (await account.sellable_quantity("000660")) == 1
            daily = await account.daily_orders()
            assert daily.order(lost.number) is not None
            assert (await account.profits()).orders

    asyncio.run(main())


def test_the_order_journal_is_kept(emu: Emulator, private_cache: Path) -> None:
    with client(emu, "real") as kis:
        order = kis.stock("005930").buy(price=resting_price(emu, "005930"), qty=1)
    [journal] = (private_cache / "orders").glob("*.jsonl")
    lines = journal.read_text("utf-8").splitlines()
    assert len(lines) == 2 and '"status": "sending"' in lines[0] and order.number in lines[1]

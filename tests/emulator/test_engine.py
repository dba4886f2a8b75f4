"""Matching engine: fills against the book, resting orders, priority, modify/cancel races and accounting."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pykis.emulator.clock import FrozenClock
from pykis.emulator.engine import BUY, SELL, Engine, EngineReject, Fees
from pykis.emulator.market import Market
from tests.properties import examples

KST = ZoneInfo("Asia/Seoul")
ET = ZoneInfo("America/New_York")
OPEN_DAY = datetime(2026, 11, 25, 10, 0, tzinfo=KST)  # Wednesday, KRX regular session
ACCOUNT = "50123456-01"


def setup(
    at: datetime = OPEN_DAY, *, krw: int = 10_000_000_000, usd: int = 1_000_000
) -> tuple[FrozenClock, Market, Engine]:
    clock = FrozenClock(at)
    market = Market(clock)
    engine = Engine(market)
    engine.open_account(
        ACCOUNT,
        cash={"KRW": krw, "USD": usd, "HKD": 1_000_000},
        positions=[("005930", None, 1_000, 80_000), ("NVDA", "NAS", 100, "150.00")],
    )
    return clock, market, engine


# ---------------------------------------------------------------------------------------------------- marketable


def test_market_buy_walks_the_book_level_by_level() -> None:
    _, market, engine = setup()
    book = market.orderbook("005930")
    qty = book.asks[0].qty + book.asks[1].qty + 7
    order = engine.place(ACCOUNT, "005930", BUY, qty, 0, "01")
    fills = engine.fills(ACCOUNT)
    assert [(fill.price, fill.qty) for fill in fills] == [
        (book.asks[0].price, book.asks[0].qty),
        (book.asks[1].price, book.asks[1].qty),
        (book.asks[2].price, 7),
    ]
    assert order.status == "filled" and order.remaining == 0
    assert len(order.order_no) == 10 and order.order_no.isdigit() and order.branch == "91252"
    assert order.ord_tmd == "100000"
    events = engine.drain_events()
    assert [event.kind for event in events] == ["acknowledged", "filled", "filled", "filled"]
    assert [event.cntg_yn for event in events] == ["1", "2", "2", "2"]
    assert events[-1].filled_qty == qty and events[-1].remaining == 0


def test_limit_order_fills_what_the_book_shows_and_rests_the_rest() -> None:
    _, market, engine = setup()
    book = market.orderbook("005930")
    qty = book.asks[0].qty + book.asks[1].qty + 100
    order = engine.place(ACCOUNT, "005930", BUY, qty, book.asks[1].price, "00")
    assert order.filled_qty == book.asks[0].qty + book.asks[1].qty
    assert order.remaining == 100 and order.is_open
    assert order.avg_fill_price < book.asks[1].price  # the first level filled cheaper
    # The same second's displayed liquidity is used up for the next order.
    follow = engine.place(ACCOUNT, "005930", BUY, 10, book.asks[0].price, "11")
    assert follow.filled_qty == 0 and follow.status == "cancelled"


def test_ioc_and_fok() -> None:
    _, market, engine = setup()
    book = market.orderbook("005930")
    ioc = engine.place(ACCOUNT, "005930", BUY, book.asks[0].qty + 50, book.asks[0].price, "11")
    assert ioc.filled_qty == book.asks[0].qty and ioc.cancelled_qty == 50 and ioc.status == "cancelled"
    assert engine.account(ACCOUNT).reserved["KRW"] == 0
    fok = engine.place(ACCOUNT, "005930", BUY, book.asks[1].qty + 1, book.asks[1].price, "12")
    assert fok.filled_qty == 0 and fok.status == "cancelled"
    fok_ok = engine.place(ACCOUNT, "005930", BUY, book.asks[1].qty, book.asks[1].price, "12")
    assert fok_ok.status == "filled"
    cancelled = [event for event in engine.drain_events() if event.kind == "cancelled"]
    assert [event.cancelled_qty for event in cancelled] == [50, book.asks[1].qty + 1]


def test_best_and_priority_limits_take_their_price_from_the_book() -> None:
    _, market, engine = setup()
    book = market.orderbook("005930")
    best = engine.place(ACCOUNT, "005930", BUY, book.asks[0].qty + 10, 0, "03")
    assert best.price == book.asks[0].price and best.filled_qty == book.asks[0].qty and best.remaining == 10
    top = engine.place(ACCOUNT, "005930", SELL, 10, 0, "04")
    assert top.price == book.asks[0].price and top.filled_qty == 0  # joins the best ask


# ---------------------------------------------------------------------------------------------------- resting


def future_low(market: Market, start: datetime, minutes: int) -> tuple[Decimal, datetime]:
    """The lowest price of the next ``minutes`` and the first minute boundary at which it had been reached."""
    instrument = market.instrument("005930")
    assert instrument is not None
    traded = market.traded_range(instrument, start, start + timedelta(minutes=minutes))
    assert traded is not None
    for step in range(1, minutes + 1):
        so_far = market.traded_range(instrument, start, start + timedelta(minutes=step))
        if so_far is not None and so_far.low == traded.low:
            return traded.low, start + timedelta(minutes=step)
    raise AssertionError("unreachable")


def test_resting_limit_fills_when_the_price_trades_through() -> None:
    clock, market, engine = setup()
    low, reached = future_low(market, OPEN_DAY, 240)
    tick = market.tick_size(market.instrument("005930"), low)  # type: ignore[arg-type]
    price = low + tick
    assert price < market.quote("005930").price  # rests first
    order = engine.place(ACCOUNT, "005930", BUY, 300, price, "00")
    assert order.filled_qty == 0
    clock.set(reached)
    events = engine.match()
    assert order.status == "filled" and order.avg_fill_price == price
    assert [event.kind for event in events] == ["filled"]


def test_price_time_priority_when_the_price_only_touches() -> None:
    clock, market, engine = setup(krw=10**13)
    low, reached = future_low(market, OPEN_DAY, 240)
    tick = market.tick_size(market.instrument("005930"), low)  # type: ignore[arg-type]
    first = engine.place(ACCOUNT, "005930", BUY, 5_000_000, low, "00")  # huge: cannot fill on a touch
    second = engine.place(ACCOUNT, "005930", BUY, 1_000, low, "00")
    better = engine.place(ACCOUNT, "005930", BUY, 10, low + tick, "00")
    clock.set(reached)
    engine.match()
    assert better.status == "filled"  # traded through: fills in full at its price
    assert 0 < first.filled_qty < first.qty  # touched: a share of the volume, the earlier order first
    assert second.filled_qty == 0


def test_day_orders_expire_at_the_close_and_release_cash() -> None:
    clock, market, engine = setup()
    floor = market.quote("005930").lower_limit
    order = engine.place(ACCOUNT, "005930", BUY, 100, floor, "00")
    assert engine.account(ACCOUNT).reserved["KRW"] > 0
    clock.set(datetime(2026, 11, 25, 15, 45, tzinfo=KST))
    events = engine.match()
    assert order.status == "cancelled" and events[-1].message == "expired"
    assert engine.account(ACCOUNT).reserved["KRW"] == 0


# ---------------------------------------------------------------------------------------------------- modify / cancel


def test_modify_moves_quantity_to_a_new_order_number() -> None:
    _, market, engine = setup()
    quote = market.quote("005930")
    low_price = quote.lower_limit
    original = engine.place(ACCOUNT, "005930", BUY, 100, low_price, "00")
    partial = engine.modify(ACCOUNT, original.order_no, price=low_price + quote.tick, qty=40, all_qty=False)
    assert partial.order_no != original.order_no and partial.original_order_no == original.order_no
    assert (partial.qty, original.remaining, original.status) == (40, 60, "open")
    whole = engine.modify(ACCOUNT, original.order_no, price=low_price + 2 * quote.tick)
    assert whole.qty == 60 and original.status == "modified" and original.remaining == 0
    kinds = [event.kind for event in engine.drain_events()]
    assert kinds == ["acknowledged", "modified", "modified"]
    account = engine.account(ACCOUNT)
    instrument = market.instrument("005930")
    assert instrument is not None
    expected = Decimal(0)
    for order in (partial, whole):
        expected += engine._reserve_amount(instrument, order.qty, order.price, OPEN_DAY.date())
    assert account.reserved["KRW"] == expected


def test_cancel_partially_filled_order_and_the_race_with_a_fill() -> None:
    _, market, engine = setup()
    book = market.orderbook("005930")
    order = engine.place(ACCOUNT, "005930", BUY, book.asks[0].qty + 30, book.asks[0].price, "00")
    assert order.filled_qty == book.asks[0].qty and order.remaining == 30
    partial = engine.cancel(ACCOUNT, order.order_no, qty=10, all_qty=False)
    assert partial.kind == "cancel" and partial.qty == 10 and order.remaining == 20
    record = engine.cancel(ACCOUNT, order.order_no)
    assert record.qty == 20 and order.status == "cancelled" and order.filled_qty == book.asks[0].qty
    assert engine.account(ACCOUNT).reserved["KRW"] == 0
    with pytest.raises(EngineReject) as caught:
        engine.cancel(ACCOUNT, order.order_no)
    assert caught.value.code == "APBK0927"
    filled = engine.place(ACCOUNT, "005930", BUY, 1, 0, "01")
    with pytest.raises(EngineReject, match="APBK0927"):
        engine.modify(ACCOUNT, filled.order_no, price=book.asks[0].price)
    with pytest.raises(EngineReject, match="APBK0521"):
        engine.cancel(ACCOUNT, "0000999999")
    assert engine.drain_events()[-1].kind == "rejected"


def test_modify_after_the_order_filled_in_the_meantime_is_refused() -> None:
    clock, market, engine = setup()
    low, reached = future_low(market, OPEN_DAY, 240)
    tick = market.tick_size(market.instrument("005930"), low)  # type: ignore[arg-type]
    order = engine.place(ACCOUNT, "005930", BUY, 10, low + tick, "00")
    clock.set(reached + timedelta(seconds=5))
    # No explicit match: the modify itself first brings the book up to date, and the order has filled.
    with pytest.raises(EngineReject) as caught:
        engine.modify(ACCOUNT, order.order_no, price=low)
    assert caught.value.code == "APBK0927" and order.status == "filled"


# ---------------------------------------------------------------------------------------------------- accounting


def test_cash_and_position_accounting_with_fees_and_taxes() -> None:
    _, _market, engine = setup()
    account = engine.account(ACCOUNT)
    cash_before = account.cash["KRW"]
    engine.place(ACCOUNT, "005930", SELL, 100, 0, "01")
    fill = engine.fills(ACCOUNT)[-1]
    assert fill.fee == (fill.amount * Decimal("0.00015")).quantize(Decimal(1), rounding="ROUND_DOWN")
    assert fill.tax == (fill.amount * Decimal("0.0020")).quantize(Decimal(1), rounding="ROUND_DOWN")
    assert account.cash["KRW"] == cash_before + fill.amount - fill.fee - fill.tax
    position = account.position("005930", "KOSPI")
    assert position is not None and position.qty == 900 and position.avg_price == 80_000
    assert account.realized["KRW"] == (fill.price - 80_000) * 100
    etf = engine.place(ACCOUNT, "069500", BUY, 10, 0, "01")
    engine.place(ACCOUNT, "069500", SELL, 10, 0, "01")
    assert etf.status == "filled" and engine.fills(ACCOUNT)[-1].tax == 0  # ETFs pay no transaction tax


def test_rejections_carry_kis_codes() -> None:
    _, market, engine = setup(krw=1_000_000)
    price = market.quote("005930").price
    with pytest.raises(EngineReject) as caught:
        engine.place(ACCOUNT, "005930", BUY, 100, price, "00")
    assert caught.value.code == "APBK0952"
    assert caught.value.message.startswith("주문가능금액을 초과 했습니다")
    # A market buy is priced at the upper limit: 10 shares fit at the price but not at the limit.
    affordable = int(Decimal(1_000_000) / price)
    with pytest.raises(EngineReject, match="APBK0952"):
        engine.place(ACCOUNT, "005930", BUY, affordable, 0, "01")
    with pytest.raises(EngineReject, match="APBK0400"):
        engine.place(ACCOUNT, "005930", SELL, 1_001, price, "00")
    with pytest.raises(EngineReject, match="APBK0515"):
        engine.place(ACCOUNT, "005930", SELL, 1, price + 1, "00")
    with pytest.raises(EngineReject, match="APBK0516"):
        engine.place(ACCOUNT, "005930", SELL, 1, market.quote("005930").upper_limit + 100, "00")
    with pytest.raises(EngineReject, match="APBK0656"):
        engine.place(ACCOUNT, "999999", BUY, 1, 1000, "00")
    with pytest.raises(EngineReject, match="APBK0517"):
        engine.place(ACCOUNT, "00700", BUY, 50, "500.00", "00")
    kinds = {event.kind for event in engine.drain_events()}
    assert kinds == {"rejected"}


def test_open_sells_commit_shares() -> None:
    _, market, engine = setup()
    upper = market.quote("005930").upper_limit
    sell = engine.place(ACCOUNT, "005930", SELL, 600, upper, "00")
    position = engine.account(ACCOUNT).position("005930", "KOSPI")
    assert position is not None and position.sellable == 400
    with pytest.raises(EngineReject, match="APBK0400"):
        engine.place(ACCOUNT, "005930", SELL, 401, upper, "00")
    engine.cancel(ACCOUNT, sell.order_no)
    assert position.sellable == 1_000


# ---------------------------------------------------------------------------------------------------- sessions


def test_domestic_session_rules() -> None:
    clock, market, engine = setup(datetime(2026, 11, 25, 21, 0, tzinfo=KST))
    with pytest.raises(EngineReject, match="APBK0918"):
        engine.place(ACCOUNT, "005930", BUY, 1, market.quote("005930").price, "00")
    clock.set(datetime(2026, 11, 25, 8, 35, tzinfo=KST))
    pre = engine.place(ACCOUNT, "005930", BUY, 5, 0, "05")
    assert pre.status == "filled" and pre.avg_fill_price == market.quote("005930").prev_close
    clock.set(datetime(2026, 11, 25, 15, 45, tzinfo=KST))
    post = engine.place(ACCOUNT, "005930", SELL, 5, 0, "06")
    close = market.daily_bars("005930", OPEN_DAY.date(), OPEN_DAY.date())[-1].close
    assert post.status == "filled" and post.avg_fill_price == close
    with pytest.raises(EngineReject, match="APBK0918"):
        engine.place(ACCOUNT, "005930", BUY, 5, 0, "05")
    clock.set(datetime(2026, 11, 25, 17, 0, tzinfo=KST))
    after = engine.place(ACCOUNT, "005930", BUY, 3, 0, "44")
    assert after.filled_qty == 3


def test_us_limit_moo_and_twap() -> None:
    clock, market, engine = setup(datetime(2026, 11, 24, 8, 0, tzinfo=ET))
    moo = engine.place(ACCOUNT, "NVDA", SELL, 10, 0, "31", market="NASD")
    with pytest.raises(EngineReject, match="APBK0518"):
        engine.place(ACCOUNT, "NVDA", BUY, 10, 0, "31", market="NASD")  # MOO is sell-only
    clock.set(datetime(2026, 11, 24, 10, 0, tzinfo=ET))
    engine.match()
    opening = market.daily_bars("NVDA", clock.now().date(), clock.now().date())[-1].open
    assert moo.status == "filled" and moo.avg_fill_price == opening
    twap = engine.place(ACCOUNT, "NVDA", BUY, 100, 0, "35", start=clock.now(), end=clock.now() + timedelta(hours=1))
    clock.advance(1800)
    engine.match()
    assert twap.filled_qty == 50
    clock.advance(3600)
    engine.match()
    assert twap.status == "filled"
    usd = engine.account(ACCOUNT).cash["USD"]
    fills = [fill for fill in engine.fills(ACCOUNT) if fill.order_no == twap.order_no]
    assert sum(fill.qty for fill in fills) == 100 and usd < 1_000_000


# ---------------------------------------------------------------------------------------------------- conservation

_CLOCK = FrozenClock(OPEN_DAY)
_MARKET = Market(_CLOCK)
_SYMBOLS = ("005930", "035720", "069500", "252670")
_ACTION = st.tuples(
    st.sampled_from(_SYMBOLS),
    st.sampled_from((BUY, SELL)),
    st.integers(min_value=1, max_value=400),
    st.sampled_from(("00", "01", "03", "11", "12", "13")),
    st.integers(min_value=-6, max_value=6),  # limit offset in ticks
    st.integers(min_value=0, max_value=900),  # seconds to wait first
    st.booleans(),  # cancel the order afterwards if still open
)


@settings(max_examples=examples(30), deadline=None)
@given(st.lists(_ACTION, min_size=1, max_size=12))
def test_cash_plus_cost_basis_is_conserved_up_to_fees_taxes_and_realized_pnl(
    actions: list[tuple[str, str, int, str, int, int, bool]],
) -> None:
    _CLOCK.set(OPEN_DAY)
    engine = Engine(_MARKET, fees=Fees())
    engine.open_account(ACCOUNT, cash={"KRW": 2_000_000_000}, positions=[(s, None, 500, 10_000) for s in _SYMBOLS])
    account = engine.account(ACCOUNT)

    def basis() -> Decimal:
        return account.cash["KRW"] + sum(
            (position.qty * position.avg_price for position in account.positions.values()), Decimal(0)
        )

    start = basis()
    refusals: list[str] = []
    for symbol, side, qty, dvsn, offset, wait, cancel in actions:
        _CLOCK.advance(wait)
        quote = _MARKET.quote(symbol)
        price = quote.price
        for _ in range(abs(offset)):
            price = price + quote.tick if offset > 0 else price - _MARKET.tick_size(quote.instrument, price - 1)
        price = min(max(price, quote.lower_limit), quote.upper_limit)
        try:
            order = engine.place(ACCOUNT, symbol, side, qty, price if dvsn in ("00", "11", "12") else 0, dvsn)
        except EngineReject as error:
            refusals.append(error.code)
            continue
        if cancel and order.is_open:
            engine.cancel(ACCOUNT, order.order_no)
    _CLOCK.advance(600)
    engine.match()
    assert set(refusals) <= {"APBK0400", "APBK0952", "APBK0918"}
    fees = account.fees.get("KRW", Decimal(0))
    taxes = account.taxes.get("KRW", Decimal(0))
    realized = account.realized.get("KRW", Decimal(0))
    # Average prices are rounded to 4 decimals: allow that much per share held.
    drift = abs(basis() - (start - fees - taxes + realized))
    held = sum(position.qty for position in account.positions.values())
    assert drift <= Decimal("0.0001") * held + Decimal("0.01")
    open_orders = engine.orders(ACCOUNT, open_only=True)
    for position in account.positions.values():
        assert 0 <= position.committed <= position.qty
    if not any(order.side == BUY for order in open_orders):
        assert account.reserved.get("KRW", Decimal(0)) == 0
    assert account.available("KRW") >= 0
    for fill in engine.fills(ACCOUNT):
        assert _MARKET.on_tick(_MARKET.instrument(fill.symbol), fill.price)  # type: ignore[arg-type]

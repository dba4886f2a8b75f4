"""The typed realtime events: field values, both widths, reprs like the seed's, small retained size."""

from __future__ import annotations

import gc
import sys
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from pykis.models.realtime import (
    KisDomesticRealtimeExecution,
    KisDomesticRealtimeOrderbook,
    KisDomesticRealtimePrice,
    KisForeignRealtimeExecution,
    KisForeignRealtimeOrderbook,
    KisForeignRealtimePrice,
    KisRealtimeLevel,
    KisRealtimePrice,
    event_for,
    rekey,
)
from tests.realtime.samples import (
    H0GSCNI0_FILL,
    H0STASP0,
    H0STASP0_OLD,
    H0STCNI0_ACK,
    H0STCNI0_FILL,
    H0STCNI0_FILL_OLD,
    H0STCNT0,
    H0STCNT0_OLD,
    HDFSCNT0,
)

KST = ZoneInfo("Asia/Seoul")
NY = ZoneInfo("America/New_York")


def test_domestic_price_fields() -> None:
    event = event_for("H0STCNT0", H0STCNT0)
    assert isinstance(event, KisDomesticRealtimePrice)
    assert isinstance(event, KisRealtimePrice)
    assert (event.market, event.symbol, event.tr_id) == ("KRX", "000660", "H0STCNT0")
    assert event.time == datetime(2024, 8, 2, 13, 50, 44, tzinfo=KST)
    assert event.price == Decimal(174900)
    assert event.change == Decimal(-18400)
    assert event.rate == Decimal("-9.52")
    assert (event.open, event.high, event.low) == (Decimal(178900), Decimal(180000), Decimal(174000))
    assert (event.ask, event.bid, event.qty) == (Decimal(174900), Decimal(174800), 50)
    assert event.volume == 8919304
    assert event.amount == Decimal(1587870362300)
    assert event.session == "2"
    assert event.side == "sell"
    assert not event.halted
    assert event.field("STCK_PRPR") == "174900"


def test_every_column_of_a_domestic_trade_is_typed() -> None:
    event = event_for("H0STCNT0", H0STCNT0)
    assert isinstance(event, KisDomesticRealtimePrice)
    assert (event.sell_count, event.buy_count, event.net_buy_count) == (23197, 27031, 3834)
    assert (event.sell_volume, event.buy_volume) == (3926124, 3388705)
    assert (event.buy_ratio, event.volume_rate, event.turnover) == (Decimal("0.43"), Decimal("131.09"), Decimal("1.23"))
    assert (event.open_time, event.high_time, event.low_time) == (
        datetime(2024, 8, 2, 9, 0, 1, tzinfo=KST),
        datetime(2024, 8, 2, 9, 4, 16, tzinfo=KST),
        datetime(2024, 8, 2, 13, 48, 56, tzinfo=KST),
    )
    # Each signed by its own sign column: 5 (하락) keeps the sent minus, 2 (상승) a plus.
    assert (event.change_from_open, event.change_from_high, event.change_from_low) == (
        Decimal(-4000),
        Decimal(1100),
        Decimal(-100),
    )
    assert (event.total_ask_qty, event.total_bid_qty) == (1021341, 794116)
    assert (event.same_time_volume, event.same_time_volume_rate) == (6742781, Decimal("132.28"))
    assert (event.operation_code, event.hour_class, event.random_end_code) == ("20", "0", "N")
    assert event.vi_price == Decimal(193300)
    positions = type(event)._resolve().positions
    typed = {name.upper() for field in type(event)._fields for names in field.columns for name in names.split("|")}
    assert set(positions) <= typed  # no column left to field("…") alone


def test_domestic_price_repr_matches_the_seed() -> None:
    assert repr(event_for("H0STCNT0", H0STCNT0)) == (
        "KisDomesticRealtimePrice(market='KRX', symbol='000660', time='2024-08-02T13:50:44+09:00', price=174900, "
        "change=-18400, volume=8919304, amount=1587870362300)"
    )


def test_older_width_reads_the_same_and_lacks_the_new_field() -> None:
    old = event_for("H0STCNT0", H0STCNT0_OLD)
    new = event_for("H0STCNT0", H0STCNT0)
    assert repr(old) == repr(new)
    assert old.session is None  # type: ignore[attr-defined]


def test_nxt_and_integrated_feeds() -> None:
    assert event_for("H0NXCNT0", H0STCNT0).market == "NXT"  # type: ignore[attr-defined]
    assert event_for("H0UNCNT0", H0STCNT0).market == "UN"  # type: ignore[attr-defined]
    assert event_for("H0UNASP0", H0STASP0).market == "UN"  # type: ignore[attr-defined]


def test_overseas_price() -> None:
    event = event_for("HDFSCNT0", HDFSCNT0)
    assert isinstance(event, KisForeignRealtimePrice)
    rekey(event, "DNASAAPL")  # the client binds the subscription key when it routes the record
    assert (event.market, event.exchange, event.symbol, event.daytime) == ("NASDAQ", "NAS", "AAPL", False)
    assert event.time == datetime(2024, 8, 1, 9, 29, 30, tzinfo=NY)
    assert event.korean_time == datetime(2024, 8, 1, 22, 30, 30, tzinfo=KST)
    assert event.price == Decimal("224.1200")
    assert event.change == Decimal("-2.2100")  # unsigned DIFF with SIGN 5 (하락)
    assert event.rate == Decimal("-0.99")
    assert (event.volume, event.qty, event.decimals) == (1523423, 100, 4)
    assert event.business_day == date(2024, 8, 1)
    # BIVL is volume traded at the bid (매도체결량), ASVL at the ask (매수체결량): websocket.json's labels.
    assert (event.sell_volume, event.buy_volume) == (620113, 903310)
    keyed = {name: event.as_dict()[name] for name in ("key", "exchange", "daytime", "market")}
    assert keyed == {"key": "DNASAAPL", "exchange": "NAS", "daytime": False, "market": "NASDAQ"}


def test_overseas_record_with_a_leading_realtime_key() -> None:
    event = event_for("HDFSCNT0", "RBAQAAPL^" + HDFSCNT0)
    assert isinstance(event, KisForeignRealtimePrice)
    assert (event.key, event.symbol, event.market, event.daytime) == ("RBAQAAPL", "AAPL", "NASDAQ", True)
    assert event.price == Decimal("224.1200")


def test_domestic_orderbook_both_widths() -> None:
    day = date(2024, 8, 2)
    for record in (H0STASP0, H0STASP0_OLD):
        book = event_for("H0STASP0", record, day)
        assert isinstance(book, KisDomesticRealtimeOrderbook)
        assert book.time == datetime(2024, 8, 2, 9, 30, 1, tzinfo=KST)
        assert book.asks[0] == KisRealtimeLevel(Decimal(71000), 1000)
        assert book.bids[9] == KisRealtimeLevel(Decimal(70000), 2009)
        assert len(book.asks) == len(book.bids) == 10
        assert (book.total_ask_qty, book.total_bid_qty, book.volume) == (98765, 123456, 3052507)
    new, old = event_for("H0STASP0", H0STASP0), event_for("H0STASP0", H0STASP0_OLD)
    assert (new.mid_price, new.session) == (Decimal(70950), "2")  # type: ignore[attr-defined]
    assert (old.mid_price, old.session) == (None, None)  # type: ignore[attr-defined]
    assert isinstance(new, KisDomesticRealtimeOrderbook)
    assert isinstance(old, KisDomesticRealtimeOrderbook)
    assert (new.hour_class, new.expected_volume, new.expected_change, new.expected_rate) == (
        "0",
        0,
        Decimal(0),
        Decimal(0),
    )
    assert (new.total_ask_qty_change, new.total_bid_qty_change) == (120, -340)
    assert (new.overtime_total_ask_qty, new.overtime_total_bid_qty) == (0, 0)
    assert (new.overtime_total_ask_qty_change, new.overtime_total_bid_qty_change) == (0, 0)
    assert (new.mid_qty, new.mid_side_code, old.mid_qty, old.mid_side_code) == (150, "1", None, None)
    assert (new.nxt_mid_price, new.nxt_mid_qty, new.nxt_mid_side_code, new.expected_exchange) == (None,) * 4
    assert "ask=71000x1000, bid=70900x2000" in repr(new)


def test_nxt_and_integrated_books_read_both_mid_prices_and_the_expected_exchange() -> None:
    fields = H0STASP0.split("^")[:59]
    nxt = "^".join([*fields, "70950", "150", "1", "70900", "80", "2"])
    integrated = nxt + "^2"  # ANTC_EXCH_CLS_CODE, since 2026-09-14 (PROTOCOL.md §15)
    for tr_id, record, exchange in (("H0NXASP0", nxt, None), ("H0UNASP0", integrated, "NXT")):
        book = event_for(tr_id, record, date(2024, 8, 2))
        assert isinstance(book, KisDomesticRealtimeOrderbook)
        assert (book.mid_price, book.mid_qty, book.mid_side_code) == (Decimal(70950), 150, "1")
        assert (book.nxt_mid_price, book.nxt_mid_qty, book.nxt_mid_side_code) == (Decimal(70900), 80, "2")
        assert book.expected_exchange == exchange
        assert book.session is None


def test_overseas_orderbook() -> None:
    record = "AAPL^4^20240801^092930^20240801^223030^500^700^0^0^224.1100^224.1300^30^40^0^0"
    book = event_for("HDFSASP0", record)
    assert isinstance(book, KisForeignRealtimeOrderbook)
    rekey(book, "DNASAAPL")
    assert book.bids == (KisRealtimeLevel(Decimal("224.1100"), 30),)
    assert book.asks == (KisRealtimeLevel(Decimal("224.1300"), 40),)
    assert (book.total_bid_qty, book.total_ask_qty) == (500, 700)
    assert (book.decimals, book.total_bid_qty_change, book.total_ask_qty_change) == (4, 0, 0)
    assert (book.bid_qty_change, book.ask_qty_change) == (0, 0)
    deeper = event_for("HDFSASP0", record + "^224.1000^224.1400^10^20^0^0")  # a second level, if sent
    assert deeper.as_dict()["bids"] == (
        KisRealtimeLevel(Decimal("224.1100"), 30),
        KisRealtimeLevel(Decimal("224.1000"), 10),
    )
    assert deeper.as_dict()["asks"][1] == KisRealtimeLevel(Decimal("224.1400"), 20)
    assert book.time == datetime(2024, 8, 1, 9, 29, 30, tzinfo=NY)


def test_domestic_execution_notices() -> None:
    day = date(2024, 8, 2)
    fill = event_for("H0STCNI0", H0STCNI0_FILL, day)
    assert isinstance(fill, KisDomesticRealtimeExecution)
    assert (fill.is_fill, fill.is_ack, fill.kind, fill.rejected) == (True, False, "fill", False)
    assert (fill.order_number, fill.original_order_number, fill.symbol, fill.side) == (
        "0000012345",
        None,
        "005930",
        "buy",
    )
    assert (fill.qty, fill.filled_qty, fill.filled_price, fill.price) == (10, 10, Decimal(71000), Decimal(71000))
    assert fill.time == datetime(2024, 8, 2, 9, 30, 15, tzinfo=KST)
    assert (fill.name, fill.market, fill.account) == ("삼성전자", "KRX", "5012345601")
    ack = event_for("H0STCNI9", H0STCNI0_ACK, day)
    assert isinstance(ack, KisDomesticRealtimeExecution)
    assert (ack.kind, ack.filled_qty, ack.filled_price, ack.price) == ("ack", 0, None, Decimal(71000))
    old = event_for("H0STCNI0", H0STCNI0_FILL_OLD, day)
    assert isinstance(old, KisDomesticRealtimeExecution)
    assert (old.width, old.price, old.name, old.filled_qty) == (23, Decimal(71000), "삼성전자", 10)
    for record in (H0STCNI0_FILL, H0STCNI0_FILL_OLD):  # columns before 계좌명 sit alike in both layouts
        fields = record.split("^")
        fields[6:8], fields[15] = ["01", "2"], "00931"
        coded = event_for("H0STCNI0", "^".join(fields), day)
        assert isinstance(coded, KisDomesticRealtimeExecution)
        assert (coded.order_kind, coded.order_condition, coded.branch) == ("01", "2", "00931")


def test_overseas_execution_notice() -> None:
    fill = event_for("H0GSCNI0", H0GSCNI0_FILL, date(2024, 8, 2))
    assert isinstance(fill, KisForeignRealtimeExecution)
    assert (fill.symbol, fill.side, fill.qty, fill.filled_qty) == ("AAPL", "sell", 3, 3)
    assert fill.filled_price == Decimal("224.1200")
    assert fill.name == "APPLE INC"
    fields = H0GSCNI0_FILL.split("^")
    fields[6], fields[14] = "32", "00931"  # ODER_KIND2, BRNC_NO: the overseas layout has no ODER_COND there
    coded = event_for("H0GSCNI0", "^".join(fields), date(2024, 8, 2))
    assert isinstance(coded, KisForeignRealtimeExecution)
    assert (coded.order_kind, coded.branch, coded.symbol) == ("32", "00931", "AAPL")
    assert "kind='fill'" in repr(fill)


def test_events_are_small() -> None:
    event = event_for("H0STCNT0", H0STCNT0)
    assert sys.getsizeof(event) + sys.getsizeof(event.raw) < 800
    assert isinstance(event, KisDomesticRealtimePrice)
    assert event.price == Decimal(174900)  # a lazy read keeps nothing: no instance dict is made
    assert not any(isinstance(held, dict) for held in gc.get_referents(event))


SAMPLES = [
    ("H0STCNT0", H0STCNT0),
    ("H0STCNT0", H0STCNT0_OLD),
    ("H0NXCNT0", H0STCNT0),
    ("HDFSCNT0", HDFSCNT0),
    ("HDFSCNT0", "RBAQAAPL^" + HDFSCNT0),
    ("H0STASP0", H0STASP0),
    ("H0STASP0", H0STASP0_OLD),
    ("H0UNASP0", H0STASP0),
    ("H0STCNI0", H0STCNI0_FILL),
    ("H0STCNI9", H0STCNI0_ACK),
    ("H0STCNI0", H0STCNI0_FILL_OLD),
    ("H0GSCNI0", H0GSCNI0_FILL),
]


def test_every_field_reads_the_same_lazily_and_in_one_pass() -> None:
    day = date(2024, 8, 2)
    for tr_id, record in SAMPLES:
        everything = event_for(tr_id, record, day).as_dict()
        assert everything, tr_id
        in_turn = event_for(tr_id, record, day)
        assert {name: getattr(in_turn, name) for name in everything} == everything, tr_id
        for name, value in everything.items():  # each one as the first, lazily parsed, read of a fresh event
            assert getattr(event_for(tr_id, record, day), name) == value, (tr_id, name)


def test_the_first_reads_are_lazy_then_the_record_decodes_once() -> None:
    event = event_for("H0STCNT0", H0STCNT0)
    assert isinstance(event, KisDomesticRealtimePrice)
    assert (event.price, event.volume) == (Decimal(174900), 8919304)
    kept: object = event._v
    assert kept == 2  # two lazy reads: nothing kept
    assert event.qty == 50
    assert set(vars(event)) == set(event.as_dict())  # the third read decoded every field
    assert event.as_dict()["amount"] == Decimal(1587870362300)
    assert list(event.as_dict())[:4] == ["market", "symbol", "time", "price"]


def test_malformed_numbers_read_alike_in_both_paths() -> None:
    fields = H0STCNT0.split("^")
    fields[2], fields[13], fields[12] = "abc", "", "1.5"  # price garbage, volume blank, qty not an integer
    record = "^".join(fields)
    decoded = event_for("H0STCNT0", record).as_dict()
    assert (str(decoded["price"]), decoded["volume"], decoded["qty"]) == ("NaN", 0, 1)
    assert decoded["open"] == Decimal(178900)  # the rest of the record is unaffected
    fresh = [event_for("H0STCNT0", record) for _ in range(3)]
    assert all(isinstance(event, KisDomesticRealtimePrice) for event in fresh)
    lazily = [getattr(event, name) for event, name in zip(fresh, ("price", "volume", "qty"), strict=True)]
    assert (str(lazily[0]), lazily[1], lazily[2]) == ("NaN", 0, 1)


def test_fields_find_their_columns_by_name_in_each_layout() -> None:
    from pykis.models.realtime import column_index

    # KRX calls position 21 CCLD_DVSN, NXT and the integrated feed CNTG_CLS_CODE: one field reads both.
    assert column_index("H0STCNT0", "CCLD_DVSN") == column_index("H0NXCNT0", "CNTG_CLS_CODE") == 21
    assert event_for("H0NXCNT0", H0STCNT0).as_dict()["side"] == "sell"
    assert column_index("H0STCNT0", "MARKET_CLS_CODE") == 46  # PROTOCOL.md §15, appended by the generator
    # The notices share column names at different positions.
    assert column_index("H0STCNI0", "STCK_SHRN_ISCD") == 8 and column_index("H0GSCNI0", "STCK_SHRN_ISCD") == 7


def test_models_do_not_import_the_api_layer() -> None:
    import subprocess

    code = (
        "import sys, pykis.models.realtime as m; m.event_for('H0STCNT0', '005930^093000^1').as_dict(); "
        "print(sorted(n for n in sys.modules if n.startswith('pykis.api')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"

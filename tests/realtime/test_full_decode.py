"""The one-pass decode of a realtime record agrees with the lazy field-by-field reads, for random valid and
malformed records of H0STCNT0, HDFSCNT0 and H0STASP0, and the memos behind it never change a value."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pykis.drivers.websocket_handlers import decode_frame
from pykis.errors import KisRealtimeDecodeError
from pykis.models import _realtime_base as base
from pykis.models import _realtime_market as market
from pykis.models.realtime import MIN_WIDTHS, KisRealtimeEvent, KisRealtimeLevel, event_for, event_type
from pykis.protocol.websocket import DataFrame, parse_message
from tests.properties import examples
from tests.realtime.samples import H0STASP0, H0STCNT0, HDFSCNT0

TEMPLATES = {"H0STCNT0": H0STCNT0, "HDFSCNT0": HDFSCNT0, "H0STASP0": H0STASP0}
DAY = date(2024, 8, 2)


def _number(places: int, low: int, high: int) -> st.SearchStrategy[str]:
    return st.builds(lambda n, p: format(Decimal(n).scaleb(-p), "f"), st.integers(low, high), st.integers(0, places))


PRICE = _number(4, 0, 10**9)
SIGNED = _number(4, -(10**9), 10**9)
QTY = st.integers(0, 10**13).map(str)
DAYS = st.dates(date(2000, 1, 1), date(2099, 12, 31)).map(lambda d: d.strftime("%Y%m%d"))
TIMES = st.times().map(lambda t: t.strftime("%H%M%S"))
SIGNS = st.sampled_from(["1", "2", "3", "4", "5"])


def _columns(compute: Callable[..., Any], count: int) -> list[st.SearchStrategy[str]]:
    """Valid text for each column a field of ``compute`` reads."""
    if compute is market._levels:
        return [PRICE] * (count // 2) + [QTY] * (count // 2)
    if compute is market._signed:
        return [SIGNED, SIGNS]
    if compute in (market._seoul,):
        return [DAYS, TIMES]
    if compute is market._local:
        return [DAYS, TIMES, DAYS, TIMES]
    if compute is market._arrival:
        return [TIMES]
    if compute in (Decimal, base._price, base._dec_or_none):
        return [SIGNED]
    if compute is int:
        return [QTY]
    if compute is market._side:
        return [st.sampled_from(["1", "5", "3", ""])]
    if compute is market._yes:
        return [st.sampled_from(["Y", "N"])]
    if compute is base._ymd:
        return [DAYS]
    if compute is base._int_or_none:
        return [st.one_of(QTY, st.just(""))]
    if compute is market._expected_exchange:
        return [st.sampled_from(["1", "2", ""])]
    return [st.text("0123456789ABCDEFGHIJ", max_size=8)] * count


def records(tr_id: str) -> st.SearchStrategy[str]:
    """Records of ``tr_id`` with every column a typed field reads drawn at random (valid values)."""
    kind = event_type(tr_id)
    plan = kind._resolve()
    template = TEMPLATES[tr_id].split("^")
    columns: list[st.SearchStrategy[str]] = [st.just(text) for text in template]
    for field, indexes in zip(kind._fields, plan.indexes, strict=True):
        for index, strategy in zip(indexes, _columns(field.compute, len(indexes)), strict=True):
            if index >= 0:
                columns[index] = strategy
    return st.tuples(*columns).map("^".join)


def _same(value: object) -> str:
    """A value in a form that tells ``Decimal('1.0')`` from ``Decimal('1.00')`` and lets NaN equal NaN."""
    return repr(value)


def _read_both_ways(tr_id: str, record: str) -> dict[str, str]:
    at_once = event_for(tr_id, record, DAY).as_dict()
    in_turn = event_for(tr_id, record, DAY)  # two lazy reads, then the one-pass decode serves the rest
    assert {name: _same(getattr(in_turn, name)) for name in at_once} == {k: _same(v) for k, v in at_once.items()}
    for name, value in at_once.items():  # each field as the first, lazily parsed, read of a fresh event
        assert _same(getattr(event_for(tr_id, record, DAY), name)) == _same(value), name
    return {name: _same(value) for name, value in at_once.items()}


@settings(max_examples=examples(150), deadline=None)
@given(st.data())
@pytest.mark.parametrize("tr_id", list(TEMPLATES))
def test_one_pass_and_lazy_reads_agree_on_valid_records(tr_id: str, data: st.DataObject) -> None:
    record = data.draw(records(tr_id))
    if tr_id == "HDFSCNT0" and data.draw(st.booleans()):  # led by the realtime key: times in New York
        _read_both_ways(tr_id, "DNAS" + record.split("^", 1)[0] + "^" + record)
    _read_both_ways(tr_id, record)
    event = event_for(tr_id, record, DAY)
    plan = type(event)._resolve()
    fields = record.split("^")
    for field, indexes in zip(type(event)._fields, plan.indexes, strict=True):
        value = event.as_dict()[field.name]
        if field.compute in (Decimal, base._price):  # the price memo returns what Decimal makes of the text
            assert _same(value) == _same(Decimal(fields[indexes[0]])), field.name
        elif field.compute is market._levels:  # every level as the model types it, empty ones left out
            half = len(indexes) // 2
            pairs = [(Decimal(fields[i]), int(fields[j])) for i, j in zip(indexes[:half], indexes[half:], strict=True)]
            expected = tuple(KisRealtimeLevel(p, q) for p, q in pairs if p or q)
            assert _same(value) == _same(expected), field.name


BAD = st.sampled_from(["", " ", "abc", "1.5", "--1", "1e", "NaN", "Infinity"])


@settings(max_examples=examples(150), deadline=None)
@given(st.data())
@pytest.mark.parametrize("tr_id", list(TEMPLATES))
def test_a_malformed_number_reads_alike_both_ways(tr_id: str, data: st.DataObject) -> None:
    fields = data.draw(records(tr_id)).split("^")
    kind = event_type(tr_id)
    plan = kind._resolve()
    numeric = [
        index
        for field, indexes in zip(kind._fields, plan.indexes, strict=True)
        if field.compute in (Decimal, base._price, int, market._levels, market._signed)
        for index in (indexes[:1] if field.compute is market._signed else indexes)
    ]
    index = data.draw(st.sampled_from(numeric))
    fields[index] = data.draw(BAD)
    values = _read_both_ways(tr_id, "^".join(fields))
    assert values  # the record still decodes: a bad number reads as 0 or NaN, the other fields unaffected


@settings(max_examples=examples(100), deadline=None)
@given(st.data())
@pytest.mark.parametrize("tr_id", list(TEMPLATES))
def test_a_record_narrower_than_its_layout_raises_the_typed_error(tr_id: str, data: st.DataObject) -> None:
    fields = data.draw(records(tr_id)).split("^")
    width = data.draw(st.integers(1, MIN_WIDTHS[tr_id] - 1))
    message = parse_message(f"0|{tr_id}|001|" + "^".join(fields[:width]))
    assert isinstance(message, DataFrame)
    with pytest.raises(KisRealtimeDecodeError):
        decode_frame(message)


def test_levels_unpack_index_and_encode_like_the_pair_they_were() -> None:
    book = event_for("H0STASP0", H0STASP0)
    best = book.as_dict()["asks"][0]
    price, qty = best
    assert (price, qty) == (best[0], best[1]) == (best.price, best.qty) == (Decimal(71000), 1000)
    assert best == KisRealtimeLevel(Decimal(71000), 1000) and hash(best) == hash(KisRealtimeLevel(Decimal(71000), 1000))
    assert msgspec.json.encode(best) == b'["71000",1000]'  # as the named tuple encoded (Decimal as text)
    with pytest.raises(AttributeError):
        best.qty = 5


def test_memos_start_over_when_full_and_keep_values_right() -> None:
    texts = [f"{n}.{n % 100:02d}" for n in range(base._MEMO_SIZE + 10)]
    assert [base._price(text) for text in texts] == [Decimal(text) for text in texts]
    assert len(base._price.__self__) <= base._MEMO_SIZE  # type: ignore[attr-defined]
    with pytest.raises(ArithmeticError):
        base._price("abc")  # strict, like Decimal: the tolerant decoder takes over
    assert "abc" not in base._price.__self__  # type: ignore[attr-defined]
    stamps = base._Memo(market._seoul)
    for second in range(base._MEMO_SIZE + 10):
        hhmmss = f"{second // 3600 % 24:02d}{second // 60 % 60:02d}{second % 60:02d}"
        made = stamps[("20240802", hhmmss)]
        assert made == datetime(2024, 8, 2, second // 3600 % 24, second // 60 % 60, second % 60, tzinfo=base.KST)
        assert stamps[("20240802", hhmmss)] is made  # one datetime for the records of one second
    assert len(stamps) <= base._MEMO_SIZE
    assert stamps[("20240230", "120000")] is None  # no such day
    assert stamps[("20240802", "250000")] is None  # no such hour
    assert stamps[("20240802", "1²0000")] is None  # a digit int() does not read
    with pytest.raises(ValueError, match="memo"):
        base.Field(market._arrival, "BSOP_HOUR", context=True, memo=True)


def test_a_full_decode_leaves_nothing_else_on_the_event() -> None:
    event: KisRealtimeEvent = event_for("HDFSCNT0", "DNASAAPL^" + HDFSCNT0, DAY)
    everything = event.as_dict()
    assert list(vars(event)) == list(everything)
    fresh = event_for("HDFSCNT0", "DNASAAPL^" + HDFSCNT0)  # equality and hash still by TR and record
    assert event == fresh and hash(event) == hash(fresh)


@pytest.mark.parametrize("reads", [0, 1, 3])
def test_an_event_stays_read_only_however_far_it_is_decoded(reads: int) -> None:
    event: KisRealtimeEvent = event_for("H0STCNT0", H0STCNT0)
    names = list(event.as_dict()) if reads == 3 else ["price", "volume"][:reads]
    before = [getattr(event, name) for name in names]
    for name in ("price", "raw", "_r", "_v", "anything"):
        with pytest.raises(AttributeError, match="read-only"):
            setattr(event, name, 5)
        with pytest.raises(AttributeError, match="read-only"):
            delattr(event, name)
    assert [getattr(event, name) for name in names] == before
    assert event.raw == H0STCNT0 and event.as_dict() == event_for("H0STCNT0", H0STCNT0).as_dict()


def test_a_subclass_and_a_model_made_directly_read_their_own_layouts() -> None:
    # A resolved type reads through descriptors of its own: a subclass made later, and the hand-written
    # model (which has no columns) must not read through them.
    kind = event_type("H0STCNT0")
    expected = event_for("H0STCNT0", H0STCNT0).as_dict()

    class Recorded(kind):  # type: ignore[misc, valid-type]
        """A user's subclass of a generated type."""

    for reads in (1, 2, len(expected)):  # lazily, then in one pass
        event = Recorded("H0STCNT0", H0STCNT0)
        assert {name: getattr(event, name) for name in list(expected)[:reads]} == dict(list(expected.items())[:reads])
    assert not isinstance(kind.__dict__["price"], base.Field)  # the resolved type reads through its own
    # The subclass resolved its own layout on its first read (through the model's field) and reads through its own.
    assert "price" in vars(Recorded) and vars(Recorded)["price"] is not vars(kind)["price"]
    assert getattr(kind, "price") is market.KisDomesticRealtimePrice.price  # noqa: B009 — read on the class: the model's field
    bare = market.KisDomesticRealtimePrice("H0STCNT0", H0STCNT0)  # no columns: every column reads as blank
    assert bare.symbol == "" and bare.qty == 0 and bare.as_dict()["symbol"] == ""
    assert event_for("H0STCNT0", H0STCNT0).as_dict() == expected


def test_an_inline_compute_is_its_expression_called_or_written_out() -> None:
    # Called directly, the declared function runs its expression; the readers write the same expression out.
    assert market._signed("100", "5") == Decimal(-100) and market._signed("-100", "5") == Decimal(-100)
    assert market._signed("100", "2") == Decimal(100) and market._signed("0", "5") == Decimal(0)
    assert [market._side(code) for code in ("1", "5", "3", "")] == ["buy", "sell", None, None]
    assert market._yes("Y") is True and market._yes("N") is False
    assert market._levels(["100", "0", "99"], ["5", "0", "0"]) == (
        KisRealtimeLevel(Decimal(100), 5),
        KisRealtimeLevel(Decimal(99), 0),
    )
    assert market._signed.__name__ == "_signed" and "전일대비부호" in (market._signed.__doc__ or "")

    @base.inline("{a} + {b} * two", two=2)
    def twice(a: int, b: int) -> int:
        raise NotImplementedError

    assert twice(1, 3) == 7 and base._INLINE[twice][1] == ("a", "b")


@pytest.mark.parametrize("reads", [0, 1, 3])
def test_an_event_pickles_and_copies_as_its_record_however_far_it_is_decoded(reads: int) -> None:
    # A recorder hands events to another process: the copy reads the same, whatever the original had read.
    event: KisRealtimeEvent = event_for("HDFSCNT0", "DNASAAPL^" + HDFSCNT0, DAY)
    names = list(event_for("HDFSCNT0", "DNASAAPL^" + HDFSCNT0, DAY).as_dict())
    for name in names[:reads] if reads < 3 else names:
        getattr(event, name)
    for twin in (pickle.loads(pickle.dumps(event)), copy.copy(event), copy.deepcopy(event)):  # noqa: S301
        assert type(twin) is type(event) and twin == event and twin._k == "DNASAAPL" and twin._d == DAY
        assert twin.as_dict() == event.as_dict()


def test_rich_prints_what_the_repr_shows_not_the_private_fields() -> None:
    shown = dict(event_for("H0STCNT0", H0STCNT0).__rich_repr__())
    assert list(shown) == ["market", "symbol", "time", "price", "change", "volume", "amount"]
    assert shown["symbol"] == H0STCNT0.split("^")[0]
    assert dict(event_for("H0ZZZZZ0", "a^b").__rich_repr__()) == {"tr_id": "H0ZZZZZ0", "raw": "a^b"}

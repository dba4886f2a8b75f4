"""Realtime data for the emulator: ticks, order books and execution notices pushed to WebSocket subscribers.

A :class:`RealtimePublisher` runs on the emulator's event loop. Every ``interval`` it looks at what the
clients of each :class:`~pykis.emulator.ws.WsHub` are registered for and publishes, per (TR, key), the
records owed at ``rate`` records per second, generated from the simulated :class:`~pykis.emulator.market.Market`:

- H0STCNT0 / H0NXCNT0 / H0UNCNT0 (47 fields, or 46 with ``legacy_widths``), H0STASP0 (63, or 59) and
  H0NXASP0 (65) / H0UNASP0 (66, or 65), HDFSCNT0 (25) and HDFSASP0 / HDFSASP1 (16; each led by the realtime key
  unless ``realtime_key_field=False``), keyed as the real service keys them (``005930``, ``DNASAAPL``, ``RBAQAAPL``);
- several records in one frame when more than one is owed (``0|TR|COUNT|…``, at most ``max_bundle``);
- execution notices: with an ``engine``, its order events (``Engine.drain_events``) become H0STCNI0/H0STCNI9
  (26 fields) or H0GSCNI0/H0GSCNI9 (25 fields) for the HTS ID of the account's environment; the hub encrypts
  them with each connection's key and IV.

The subscription limit, PINGPONG and the fault controls are the hub's and :class:`~pykis.emulator.faults.Faults`'.

    with Emulator() as emu:
        publisher = attach(emu, rate=20)          # from any thread; returns once running
        ...
        publisher.close()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict, Unpack
from zoneinfo import ZoneInfo

from pykis.catalog import websocket_trs
from pykis.emulator.endpoints.columns import generic_record
from pykis.emulator.market import Market, OrderBook, Quote, UnknownSymbol

if TYPE_CHECKING:
    from pykis.emulator import Emulator
    from pykis.emulator.engine import Engine, OrderEvent
    from pykis.emulator.instruments import Instrument
    from pykis.emulator.server import EmulatorServer
    from pykis.emulator.ws import WsHub

__all__ = ["PublisherOptions", "RealtimePublisher", "attach", "domestic_notice", "overseas_notice"]

log = logging.getLogger("pykis.emulator")

KST = ZoneInfo("Asia/Seoul")
_DOMESTIC_MARKETS = frozenset({"KOSPI", "KOSDAQ", "KONEX"})
_SESSION_CODES = {"pre": "1", "regular": "2", "after_market": "3", "after": "3", "post": "5", "closing": "5"}


def _num(value: Decimal | int) -> str:
    if isinstance(value, int):
        return str(value)
    text = format(value, "f")
    return text


def _sign(price: Decimal, prev: Decimal, quote: Quote | None = None) -> str:
    if quote is not None and quote.upper_limit and price >= quote.upper_limit:
        return "1"
    if quote is not None and quote.lower_limit and price <= quote.lower_limit:
        return "4"
    return "2" if price > prev else "5" if price < prev else "3"


def _rate(change: Decimal, prev: Decimal) -> str:
    if not prev:
        return "0.00"
    return _num((change * 100 / prev).quantize(Decimal("0.01")))


class _Key:
    """A subscribed key resolved to its instrument."""

    __slots__ = ("instrument", "last_volume")

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        self.last_volume = -1


def domestic_price(
    quote: Quote, qty: int, *, tr_id: str = "H0STCNT0", legacy: bool = False, session: str = "regular"
) -> list[str]:
    """An H0STCNT0 record (47 fields; 46 with ``legacy``) of ``quote`` with a trade of ``qty``."""
    t = quote.time.astimezone(KST)
    price, prev = quote.price, quote.prev_close
    change = price - prev
    sign = _sign(price, prev, quote)
    hhmmss = t.strftime("%H%M%S")
    record = [
        quote.instrument.symbol, hhmmss, _num(price), sign, _num(change), _rate(change, prev), _num(price),
        _num(quote.open), _num(quote.high), _num(quote.low), _num(quote.ask), _num(quote.bid),
        str(qty), str(quote.volume), _num(quote.amount),
        "0", "0", "0", "100.00", "0", "0", "1", "50.00", "0.00",
        "090000", _sign(price, quote.open), _num(price - quote.open),
        hhmmss, _sign(price, quote.high), _num(price - quote.high),
        hhmmss, _sign(price, quote.low), _num(price - quote.low),
        t.strftime("%Y%m%d"), "20", "Y" if quote.halted else "N",
        "0", "0", "0", "0", "0.00", str(quote.prev_volume), "0.00", "0", "N", _num(prev),
    ]  # fmt: skip
    if not legacy:
        record.append(_SESSION_CODES.get(session, "2"))
    return record


def domestic_orderbook(
    book: OrderBook, quote: Quote, *, tr_id: str = "H0STASP0", legacy: bool = False, session: str = "regular"
) -> list[str]:
    """An H0STASP0 record (63 fields; 59 with ``legacy``) of ``book``; H0NXASP0: 65 (KRX and NXT mid-price
    triples, as websocket.json lists them, before and after 2026-09-14); H0UNASP0: 66 (65 with ``legacy``), its
    ``ANTC_EXCH_CLS_CODE`` appended on 2026-09-14 (PROTOCOL.md §15)."""
    t = book.time.astimezone(KST)
    asks = [*book.asks[:10]] + [None] * (10 - len(book.asks[:10]))
    bids = [*book.bids[:10]] + [None] * (10 - len(book.bids[:10]))
    record = [quote.instrument.symbol, t.strftime("%H%M%S"), "0"]
    record += [_num(level.price) if level else "0" for level in asks]
    record += [_num(level.price) if level else "0" for level in bids]
    record += [str(level.qty) if level else "0" for level in asks]
    record += [str(level.qty) if level else "0" for level in bids]
    record += [str(sum(level.qty for level in book.asks)), str(sum(level.qty for level in book.bids)), "0", "0"]
    record += ["0", "0", "0", "0", "3", "0.00", str(quote.volume), "0", "0", "0", "0", "0"]
    if legacy and tr_id == "H0STASP0":
        return record
    mid = (asks[0].price + bids[0].price) / 2 if asks[0] and bids[0] else Decimal(0)
    mid_text = _num(mid.quantize(Decimal(1)) if mid == mid.to_integral_value() else mid)
    if tr_id == "H0STASP0":
        return [*record, mid_text, "0", "0", _SESSION_CODES.get(session, "2")]
    record += [mid_text, "0", "0", mid_text, "0", "0"]
    if tr_id == "H0UNASP0" and not legacy:
        record.append("1")  # the expected price is KRX's: the emulator runs one book per symbol
    return record


def overseas_price(quote: Quote, qty: int) -> list[str]:
    """An HDFSCNT0 record (25 fields) of ``quote``."""
    instrument = quote.instrument
    local = quote.time.astimezone(instrument.timezone)
    seoul = quote.time.astimezone(KST)
    price, prev = quote.price, quote.prev_close
    change = price - prev
    decimals = max(0, -int(price.as_tuple().exponent)) if isinstance(price.as_tuple().exponent, int) else 2
    return [
        instrument.symbol, str(decimals), quote.trading_day.strftime("%Y%m%d"), local.strftime("%Y%m%d"),
        local.strftime("%H%M%S"), seoul.strftime("%Y%m%d"), seoul.strftime("%H%M%S"),
        _num(quote.open), _num(quote.high), _num(quote.low), _num(price), _sign(price, prev), _num(abs(change)),
        _rate(change, prev), _num(quote.bid), _num(quote.ask), "100", "100", str(qty), str(quote.volume),
        _num(quote.amount), "0", "0", "100.00", "1",
    ]  # fmt: skip


def overseas_orderbook(book: OrderBook, quote: Quote) -> list[str]:
    """An HDFSASP0 record (16 fields: totals and the best level) of ``book``."""
    instrument = quote.instrument
    local = book.time.astimezone(instrument.timezone)
    seoul = book.time.astimezone(KST)
    ask = book.asks[0] if book.asks else None
    bid = book.bids[0] if book.bids else None
    return [
        instrument.symbol, "4", local.strftime("%Y%m%d"), local.strftime("%H%M%S"), seoul.strftime("%Y%m%d"),
        seoul.strftime("%H%M%S"), str(sum(level.qty for level in book.bids)),
        str(sum(level.qty for level in book.asks)), "0", "0", _num(bid.price) if bid else "0",
        _num(ask.price) if ask else "0", str(bid.qty) if bid else "0", str(ask.qty) if ask else "0", "0", "0",
    ]  # fmt: skip


def _account_digits(account: str) -> str:
    return account.replace("-", "")


def domestic_notice(event: OrderEvent, hts_id: str, name: str = "") -> list[str]:
    """An H0STCNI0 record (26 fields) of an engine order event."""
    t = event.time.astimezone(KST)
    fill = event.kind == "filled"
    accepted = {"acknowledged": "1", "rejected": "1", "filled": "2", "modified": "2"}.get(event.kind, "3")
    return [
        hts_id, _account_digits(event.account), event.order_no, event.original_order_no or "",
        event.seln_byov_cls, event.rvse_cncl_dvsn_cd, event.ord_dvsn, "0", event.symbol,
        str(event.fill_qty if fill else event.order_qty), _num(event.fill_price if fill else event.order_price),
        t.strftime("%H%M%S"), "1" if event.kind == "rejected" else "0", event.cntg_yn, accepted, event.branch,
        str(event.order_qty), "EMULATOR", "", "1", "Y", "", "10", "", name, _num(event.order_price),
    ]  # fmt: skip


def overseas_notice(event: OrderEvent, hts_id: str, name: str = "") -> list[str]:
    """An H0GSCNI0 record (25 fields) of an engine order event."""
    t = event.time.astimezone(KST)
    fill = event.kind == "filled"
    accepted = {"acknowledged": "1", "rejected": "1", "filled": "2", "modified": "2"}.get(event.kind, "3")
    price = _num(event.fill_price if fill else event.order_price)
    return [
        hts_id, _account_digits(event.account), event.order_no, event.original_order_no or "",
        event.seln_byov_cls, event.rvse_cncl_dvsn_cd, event.ord_dvsn, event.symbol,
        str(event.fill_qty if fill else event.order_qty), price, t.strftime("%H%M%S"),
        "1" if event.kind == "rejected" else "0", event.cntg_yn, accepted, event.branch, str(event.order_qty),
        "EMULATOR", name, "", "", "", "", "", "", price,
    ]  # fmt: skip


_PRICE_TRS = frozenset({"H0STCNT0", "H0NXCNT0", "H0UNCNT0", "HDFSCNT0"})
_BOOK_TRS = frozenset({"H0STASP0", "H0NXASP0", "H0UNASP0", "HDFSASP0", "HDFSASP1"})
_ENGINE_NOTICES = frozenset({"H0STCNI0", "H0STCNI9", "H0GSCNI0", "H0GSCNI9"})
_COLUMNS: dict[str, tuple[str, ...]] = {}


class PublisherOptions(TypedDict, total=False):
    """Keyword options of :class:`RealtimePublisher` (and :func:`attach`); see the class doc."""

    engine: Engine | None
    rate: float
    interval: float
    max_bundle: int
    legacy_widths: bool
    realtime_key_field: bool
    enabled: bool


class RealtimePublisher:
    """Publishes generated realtime records to the subscribers of an emulator's hubs (see the module doc).

    ``rate``: records per second per subscribed (TR, key) — settable while running; ``interval``: seconds
    between publishing rounds; ``max_bundle``: records per frame at most; ``legacy_widths``: send the layouts
    before 2026-09-14 (H0STCNT0 46, H0STASP0 59 fields); ``realtime_key_field``: lead overseas records with
    the realtime key (``RSYM``, e.g. ``DNASAAPL``), as parsers of the live feed report it does — ``False`` gives
    ``websocket.json``'s layout, which starts at ``SYMB``; ``engine``: the matching engine whose order events
    become execution notices (its ``match`` is also advanced every round).
    """

    def __init__(self, server: EmulatorServer, **options: Unpack[PublisherOptions]) -> None:
        self.server = server
        self.enabled = options.get("enabled", True)
        """``False``: publish nothing, only keep the engine matching resting orders (and drop its events)."""
        self.realtime_key_field = options.get("realtime_key_field", True)
        self.market: Market = server.market
        self.engine = options.get("engine")
        self.rate = options.get("rate", 5.0)
        self.interval = options.get("interval", 0.05)
        self.max_bundle = options.get("max_bundle", 50)
        self.legacy_widths = options.get("legacy_widths", False)
        self.published = 0
        """Records published so far."""
        self.frames = 0
        """Frames published so far."""
        self._owed: dict[tuple[str, str, str], float] = {}
        self._keys: dict[str, _Key | None] = {}
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.hooks: list[Callable[[str, str, str, list[list[str]]], None]] = []
        """Called with (env, tr_id, key, records) before each publish (tests and benchmarks)."""

    # -- lifecycle ------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start publishing; call on the emulator's event loop."""
        if self._task is None:
            self._loop = asyncio.get_running_loop()
            self._task = self._loop.create_task(self._run(), name="pykis-emulator-realtime")

    async def stop(self) -> None:
        """Stop publishing."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def close(self) -> None:
        """Stop publishing, from any thread but the emulator's."""
        loop = self._loop
        if loop is None or loop.is_closed() or self._task is None:
            return
        asyncio.run_coroutine_threadsafe(self.stop(), loop).result(timeout=10)

    # -- the loop -------------------------------------------------------------------------------------

    async def _run(self) -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(self.interval)
            now = time.monotonic()
            elapsed, last = now - last, now
            try:
                await self.step(elapsed)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("realtime publisher round failed")

    async def step(self, elapsed: float) -> None:
        """One publishing round covering ``elapsed`` seconds."""
        if not self.enabled:
            if self.engine is not None:
                self.engine.match()
                self.engine.drain_events()
            return
        for env, hub in self.server.hubs.items():
            for tr_id, key in sorted(hub.subscriptions()):
                if tr_id not in _PRICE_TRS and tr_id not in _BOOK_TRS and not self._generic(hub, tr_id):
                    continue
                slot: tuple[str, str, str] = (env, tr_id, key)
                owed = self._owed.get(slot, 1.0) + self.rate * elapsed  # the first round sends one at once
                count = int(owed)
                self._owed[slot] = owed - count
                if count:
                    await self._publish(env, hub, tr_id, key, count)
            live = hub.subscriptions()
            for stale in [s for s in self._owed if s[0] == env and (s[1], s[2]) not in live]:
                del self._owed[stale]
        if self.engine is not None:
            self.engine.match()
            for event in self.engine.drain_events():
                await self._notify(event)

    def _instrument(self, tr_id: str, key: str) -> _Key | None:
        cache_key = f"{tr_id[:4]}:{key}"
        if cache_key in self._keys:
            return self._keys[cache_key]
        if tr_id.startswith("HDFS"):
            excd, symbol = key[1:4], key[4:]
            instrument = self.market.instrument(symbol, excd) if len(key) > 4 else None
        else:
            instrument = self.market.instrument(key)
            if instrument is not None and instrument.market not in _DOMESTIC_MARKETS:
                instrument = None
        resolved = _Key(instrument) if instrument is not None else None
        if resolved is None:
            log.info("realtime: no instrument for %s %s; nothing is published for it", tr_id, key)
        self._keys[cache_key] = resolved
        return resolved

    def _generic(self, hub: WsHub, tr_id: str) -> bool:
        """Whether ``tr_id`` gets generic records: a catalogued TR without a generator of its own (the notice
        TRs of the engine excepted). Their columns come from ``websocket.json``."""
        return tr_id in hub.trs and tr_id not in _ENGINE_NOTICES

    def generic_records(self, hub: WsHub, tr_id: str, key: str, count: int) -> list[list[str]]:
        """``count`` records of a TR published generically (:func:`pykis.emulator.endpoints.columns.generic_record`):
        the key, then values drawn from the market when the key names an instrument."""
        columns = _COLUMNS.get(tr_id)
        if columns is None:
            for entry in websocket_trs():
                for name in (entry["tr_id"], entry.get("demo_tr_id")):
                    if name:
                        _COLUMNS[str(name)] = tuple(str(c) for c in entry["columns"])
            columns = _COLUMNS.get(tr_id, ("KEY",))
        symbol = key[4:] if len(key) > 4 and key[:1] in ("D", "R") and key[1:4].isalpha() else key
        instrument = self.market.instrument(symbol)
        quote = None
        if instrument is not None:
            with contextlib.suppress(UnknownSymbol):
                quote = self.market.quote_at(instrument, self.market.clock.now())
        now = self.market.clock.now().astimezone(KST)
        name = instrument.name if instrument is not None else ""
        return [generic_record(columns, key, quote, name, now) for _ in range(count)]

    def records(self, tr_id: str, key: str, count: int) -> list[list[str]]:
        """``count`` records of (tr_id, key) from the market now (empty for an unknown key)."""
        entry = self._instrument(tr_id, key)
        if entry is None:
            return []
        instrument = entry.instrument
        try:
            quote = self.market.quote_at(instrument, self.market.clock.now())
        except UnknownSymbol:
            return []
        session = self.market.session(instrument.market, quote.time)
        lead = [key] if self.realtime_key_field and tr_id.startswith("HDFS") else []
        if tr_id in _PRICE_TRS:
            lot = instrument.lot_size
            traded = quote.volume - entry.last_volume if entry.last_volume >= 0 else lot
            entry.last_volume = quote.volume
            per = max(lot, traded // count if traded > 0 else lot)
            if tr_id == "HDFSCNT0":
                return [lead + overseas_price(quote, per) for _ in range(count)]
            return [domestic_price(quote, per, tr_id=tr_id, legacy=self.legacy_widths, session=session)] * count
        book = self.market.orderbook(instrument.symbol, instrument.market)
        if tr_id.startswith("HDFS"):
            return [lead + overseas_orderbook(book, quote)] * count
        return [domestic_orderbook(book, quote, tr_id=tr_id, legacy=self.legacy_widths, session=session)] * count

    async def _publish(self, env: str, hub: WsHub, tr_id: str, key: str, count: int) -> None:
        if tr_id in _PRICE_TRS or tr_id in _BOOK_TRS:
            records = self.records(tr_id, key, count)
        else:
            records = self.generic_records(hub, tr_id, key, min(count, 1))
        for start in range(0, len(records), self.max_bundle):
            chunk = records[start : start + self.max_bundle]
            for hook in self.hooks:
                hook(env, tr_id, key, chunk)
            await hub.publish(tr_id, key, chunk)
            self.published += len(chunk)
            self.frames += 1

    async def publish(self, env: str, tr_id: str, key: str, records: Sequence[Sequence[str]]) -> int:
        """Publish ready-made records, bundled by ``max_bundle``; returns the frames sent."""
        hub = self.server.hubs[env]  # type: ignore[index]
        frames = 0
        for start in range(0, len(records), self.max_bundle):
            await hub.publish(tr_id, key, records[start : start + self.max_bundle])
            frames += 1
        self.published += len(records)
        self.frames += frames
        return frames

    async def _notify(self, event: OrderEvent) -> None:
        digits = _account_digits(event.account)
        domestic = event.market in _DOMESTIC_MARKETS
        instrument = self.market.instrument(event.symbol, None if domestic else event.market)
        name = instrument.name if instrument is not None else ""
        for env, app in self.server.apps.items():
            if _account_digits(app.account) != digits:
                continue
            suffix = "9" if env == "virtual" else "0"
            tr_id = ("H0STCNI" if domestic else "H0GSCNI") + suffix
            record = domestic_notice(event, app.hts_id, name) if domestic else overseas_notice(event, app.hts_id, name)
            await self.server.hubs[env].publish(tr_id, app.hts_id, [record])
            self.published += 1
            self.frames += 1


def attach(emulator: Emulator, **options: Unpack[PublisherOptions]) -> RealtimePublisher:
    """Start a :class:`RealtimePublisher` on a running threaded :class:`~pykis.emulator.Emulator`; the
    keyword options are the publisher's. Use ``await``-free from the test's thread."""
    publisher = RealtimePublisher(emulator.server, **options)
    loop: asyncio.AbstractEventLoop | None = getattr(emulator, "_loop", None)
    if loop is None:
        raise RuntimeError("attach() needs a running threaded emulator; on its loop call publisher.start()")

    async def start() -> None:
        publisher.start()

    asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=10)
    return publisher

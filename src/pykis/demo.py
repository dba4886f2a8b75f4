"""``make demo``: a narrated tour of pykis against the local KIS emulator (or your own secret files).

    python -m pykis.demo                                   # the emulator, nothing to set up
    python -m pykis.demo --secret secret.json              # the real service: quotes, chart, balance
    python -m pykis.demo --secret secret.json --virtual-secret virtual_secret.json   # + orders in 모의투자

Orders are placed only against the emulator or the virtual (모의투자) service.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from pykis.client import PyKis
from pykis.errors import KisError

__all__ = ["main", "tour"]


def say(text: str = "") -> None:
    """Narration, flushed at once so the tour reads well through a pipe."""
    print(text, flush=True)


def step(number: int, title: str) -> None:
    say()
    say(f"[{number}] {title}")


def _until(done: Callable[[], bool], *, seconds: float) -> None:
    """Wait until ``done()`` or ``seconds`` have passed, whichever comes first."""
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        time.sleep(0.05)


def tour(kis: PyKis, *, orders: bool, realtime_seconds: float = 5.0, png: Path | None = None) -> None:
    """The tour itself: quotes, a chart (drawn into ``png`` when given), the order book, the balance, orders,
    realtime prices."""
    step(1, "Domestic quote: kis.stock('005930').quote()")
    samsung = kis.stock("005930")
    say(repr(samsung))
    quote = samsung.quote()
    say(repr(quote))

    step(2, "US quote: kis.stock('NVDA').quote()")
    nvidia = kis.stock("NVDA")
    say(repr(nvidia.quote()))

    step(3, "Daily chart summary: stock.chart('3m')")
    chart = samsung.chart("3m")
    if chart.bars:
        highs = max(bar.high for bar in chart.bars)
        lows = min(bar.low for bar in chart.bars)
        say(f"{len(chart)} daily bars of {samsung.name}: high {highs}, low {lows}, last close {chart.bars[-1].close}")
    say(repr(chart))
    if png is not None:
        _draw(samsung.chart("6m"), png, samsung.english_name or samsung.name)

    step(4, "Order book: stock.orderbook()")
    book = samsung.orderbook()
    best_ask, best_bid = book.ask, book.bid
    say(
        f"best ask {best_ask.price if best_ask else '-'} x {best_ask.volume if best_ask else 0}, "
        f"best bid {best_bid.price if best_bid else '-'} x {best_bid.volume if best_bid else 0}"
    )

    _account_tour(kis, orders=orders)
    _realtime_tour(kis, realtime_seconds)


def _account_tour(kis: PyKis, *, orders: bool) -> None:
    account = kis.account()
    step(5, "Balance: kis.account().balance()")
    say(repr(account.balance()))
    if not orders:
        say("(orders skipped: the demo places orders only on the emulator or the virtual service)")
        return
    hynix = kis.stock("000660")
    step(6, "A limit buy that fills: hynix.buy(price=<best ask + 2 ticks>, qty=1)")
    notices: list[Any] = []
    ticket = account.on("execution", lambda sender, e: notices.append(e.response))
    # A notice is sent only to a registration the server has confirmed: order after the confirmation, not before.
    _until(lambda: kis.websocket.subscriptions <= kis.websocket.confirmed, seconds=15)
    ask = hynix.orderbook().ask
    price = ask.price if ask else hynix.quote().close
    # Two ticks above the best ask: still a limit order, and marketable even if the book moves meanwhile.
    price += 2 * hynix.tick_size(price)
    order = hynix.buy(price=price, qty=1)
    say(repr(order))
    _until(lambda: any(n.kind == "fill" and n.order_number == order.number for n in notices), seconds=15)
    for notice in notices:
        say(f"execution notice: {notice!r}")
    ticket.unsubscribe()

    step(7, "A limit buy far below the market, then cancel()")
    low = hynix.quote().lower_limit or (price * Decimal("0.8"))
    resting = hynix.buy(price=low, qty=1)
    say(f"resting: {resting!r}")
    say(f"pending: {resting.pending}")
    resting.cancel()
    say(f"after cancel, pending: {resting.pending}")


def _draw(chart: Any, png: Path, name: str) -> None:
    try:
        chart.plot(png, ma=(5, 20, 60), name=name)
    except ImportError:
        say("(no chart picture: matplotlib is not installed; pip install 'pykis-client[plot]')")
        return
    say(f"drew {len(chart)} daily candles with volume and 5/20/60-day moving averages: {png.resolve()}")


def _realtime_tour(kis: PyKis, seconds: float) -> None:
    if seconds <= 0:
        return
    step(8, f"{seconds:g} seconds of realtime prices: stock.on('price', callback)")
    samsung = kis.stock("005930")
    seen: list[Any] = []

    def on_price(sender: Any, e: Any) -> None:
        seen.append(e.response)
        if len(seen) <= 8:
            say(repr(e.response))

    ticket = samsung.on("price", on_price)
    say(repr(kis.websocket.subscriptions))
    time.sleep(seconds)
    ticket.unsubscribe()
    say(f"{len(seen)} realtime prices in {seconds:g} s")


@contextlib.contextmanager
def _emulator_client() -> Iterator[PyKis]:
    from pykis.emulator import Emulator  # noqa: PLC0415 - the emulator extra: --secret runs without it

    with tempfile.TemporaryDirectory(prefix="pykis-demo-") as folder, Emulator(secrets_dir=folder) as emu:
        say("pykis demo — a local KIS emulator is running (no account, no network needed)")
        say(f"  real    REST {emu.real.rest_url}   WebSocket {emu.real.ws_url}")
        say(f"  virtual REST {emu.virtual.rest_url}   WebSocket {emu.virtual.ws_url}")
        say("  (its secret files live in a temporary folder for this run only; `pykis emulator` writes lasting")
        say("   ones into the current folder)")
        with PyKis(emu.real.secret_file, keep_token=folder) as kis:
            yield kis


def main(argv: list[str] | None = None) -> int:
    """Run the tour; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m pykis.demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--secret", help="secret file of the real service (default: the local emulator)")
    parser.add_argument("--virtual-secret", help="secret file of the virtual (모의투자) service")
    parser.add_argument("--realtime-seconds", type=float, default=5.0)
    parser.add_argument("--png", default="samsung.png", help="where to draw the chart (default: ./samsung.png)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what pykis does")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    try:
        if args.secret:
            with PyKis(args.secret, args.virtual_secret) as kis:
                tour(kis, orders=kis.virtual, realtime_seconds=args.realtime_seconds, png=Path(args.png))
        else:
            with _emulator_client() as kis:
                tour(kis, orders=True, realtime_seconds=args.realtime_seconds, png=Path(args.png))
    except KisError as error:
        say(f"pykis demo failed: {error}")
        return 1
    say()
    say("Done. Three next steps:")
    say("  1. The command line: `.venv/bin/pykis emulator` in one terminal, then in its folder")
    say('     `.venv/bin/pykis quote 005930 NVDA` (README.md, "Command line")')
    say("  2. The tutorial, in code: docs/tutorial.md (한국어: docs/tutorial.ko.md)")
    say("  3. The real service: `pykis auth init` writes your secret file, then")
    say("     `python -m pykis.demo --secret secret.json --virtual-secret virtual_secret.json`")
    return 0


if __name__ == "__main__":
    sys.exit(main())

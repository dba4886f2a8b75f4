"""python-kis 2.1.6's own flow against a sandbox, run by the interpreter python-kis is installed in.

    .bench-venv/bin/python python_kis_flow.py CONFIG.json

python-kis is written against the real service and installs its import package as ``pykis`` too, so it runs in
its own virtual environment and process (as in ``bench/compare``); nothing here imports it at module level. The
only change to it is where it connects: its domain constants (``REAL_DOMAIN``, ``VIRTUAL_DOMAIN`` and the
WebSocket ones, bound by name in ``pykis.kis`` and ``pykis.client.websocket``) point at the sandbox.

CONFIG: ``{"real": {"rest", "ws", "secret"}, "virtual": {...}, "symbol", "today", "timeout"}`` — ``secret`` is a
python-kis secret file, ``today`` the sandbox's date (KST, ISO). Prints one JSON line per step:
``{"step", "ok": true, "facts": {...}}`` or ``{"step", "ok": false, "error", "message", "frames"}`` where
``frames`` are the traceback's frames inside python-kis (file, line, function, source line), outermost first.
"""

from __future__ import annotations

import datetime
import importlib
import json
import logging
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

Step = Callable[[dict[str, Any]], dict[str, Any]]


def point_at(config: dict[str, Any]) -> None:
    """Aim python-kis's domain constants at the sandbox (it reads them at call time from these modules)."""
    real, virtual = config["real"], config["virtual"]
    for name in ("pykis.__env__", "pykis.kis"):
        module = importlib.import_module(name)
        module.REAL_DOMAIN = real["rest"]  # type: ignore[attr-defined]
        module.VIRTUAL_DOMAIN = virtual["rest"]  # type: ignore[attr-defined]
    for name in ("pykis.__env__", "pykis.client.websocket"):
        module = importlib.import_module(name)
        module.WEBSOCKET_REAL_DOMAIN = real["ws"]  # type: ignore[attr-defined]
        module.WEBSOCKET_VIRTUAL_DOMAIN = virtual["ws"]  # type: ignore[attr-defined]


def number(value: Any) -> float:
    return float(value)


# -------------------------------------------------------------------------------- the steps, in python-kis's words


def stock(ctx: dict[str, Any]) -> dict[str, Any]:
    kis = ctx["kis"]
    # Should the lookup fail, the later steps still run on the scope it would have built (KRX, this symbol).
    scope = importlib.import_module("pykis.scope.stock").KisStockScope
    ctx["stock"] = scope(kis=kis, market="KRX", symbol=ctx["symbol"], account=kis.primary)
    ctx["stock"] = found = kis.stock(ctx["symbol"])
    return {"symbol": found.symbol, "market": found.market, "name": found.info.name}


def quote(ctx: dict[str, Any]) -> dict[str, Any]:
    answer = ctx["stock"].quote()
    return {"symbol": answer.symbol, "market": answer.market, "price": number(answer.price)}


def daily_chart(ctx: dict[str, Any]) -> dict[str, Any]:
    today = datetime.date.fromisoformat(ctx["today"])
    chart = ctx["stock"].daily_chart(start=today - datetime.timedelta(days=30), end=today)
    bars = list(chart.bars)
    return {
        "bars": len(bars),
        "first": bars[0].time.date().isoformat() if bars else None,
        "last": bars[-1].time.date().isoformat() if bars else None,
        "closes_positive": all(number(bar.close) > 0 for bar in bars),
    }


def orderbook(ctx: dict[str, Any]) -> dict[str, Any]:
    book = ctx["stock"].orderbook()
    asks, bids = list(book.asks), list(book.bids)
    ctx["lowest_bid"] = bids[-1].price if bids else None
    return {
        "asks": len(asks),
        "bids": len(bids),
        "best_ask": number(asks[0].price) if asks else None,
        "best_bid": number(bids[0].price) if bids else None,
    }


def balance(ctx: dict[str, Any]) -> dict[str, Any]:
    answer = ctx["account"].balance()
    krw = answer.deposit("KRW")
    return {"stocks": len(list(answer.stocks)), "krw_deposit": number(krw.amount) if krw is not None else None}


def buy(ctx: dict[str, Any]) -> dict[str, Any]:
    price = ctx.get("lowest_bid") or ctx["stock"].quote().low_limit
    order = ctx["stock"].buy(price=price, qty=1)
    ctx["order"] = order
    return {"number": str(order.number), "price": number(price), "symbol": order.symbol}


def pending_orders(ctx: dict[str, Any]) -> dict[str, Any]:
    pending = ctx["account"].pending_orders()
    numbers = [str(order.number) for order in pending.orders]
    mine = ctx.get("order")
    return {"orders": len(numbers), "has_our_order": mine is not None and str(mine.number) in numbers}


def daily_orders(ctx: dict[str, Any]) -> dict[str, Any]:
    today = datetime.date.fromisoformat(ctx["today"])
    orders = ctx["account"].daily_orders(start=today - datetime.timedelta(days=7), end=today)
    numbers = [str(order.number) for order in orders.orders]
    mine = ctx.get("order")
    return {"orders": len(numbers), "has_our_order": mine is not None and str(mine.number) in numbers}


class Warnings(logging.Handler):
    """python-kis's warnings during a step (its WebSocket thread reports refused subscriptions only there)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []
        self.arrived = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage()[:300])
        self.arrived.set()


def first_price(ctx: dict[str, Any], stock: Any) -> dict[str, Any]:
    """Subscribe to ``stock``'s realtime price (H0STCNT0) and wait for the first event, or a refusal."""
    received: list[Any] = []
    arrived = threading.Event()

    def on_price(_client: Any, event: Any) -> None:
        received.append(event.response)
        arrived.set()

    warnings: Warnings = ctx["warnings"]
    ticket = stock.on("price", on_price)
    try:
        deadline = time.monotonic() + ctx["timeout"]
        while not arrived.wait(0.05):
            refused = [line for line in warnings.lines if "Unhandled control message" in line]
            if refused:
                raise RuntimeError(f"subscription refused: {refused[0]}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"no realtime price within {ctx['timeout']} s")
    finally:
        ticket.unsubscribe()
    first = received[0]
    return {"symbol": first.symbol, "price": number(first.price), "events": len(received)}


def realtime_price(ctx: dict[str, Any]) -> dict[str, Any]:
    """With real credentials only, as python-kis's realtime examples do: the real WebSocket server."""
    kis = ctx["real_kis"]
    stock = importlib.import_module("pykis.scope.stock").KisStockScope(
        kis=kis, market="KRX", symbol=ctx["symbol"], account=kis.primary
    )
    return first_price(ctx, stock)


def realtime_price_virtual_mode(ctx: dict[str, Any]) -> dict[str, Any]:
    """The same subscription from the client that trades on the virtual service (real and virtual credentials)."""
    return first_price(ctx, ctx["stock"])


STEPS: dict[str, Step] = {
    "stock": stock,
    "quote": quote,
    "daily_chart": daily_chart,
    "orderbook": orderbook,
    "balance": balance,
    "buy": buy,
    "pending_orders": pending_orders,
    "daily_orders": daily_orders,
    "realtime_price": realtime_price,
    "realtime_price_virtual_mode": realtime_price_virtual_mode,
}


def library_frames(error: BaseException) -> list[str]:
    """The traceback's frames inside python-kis, outermost first: the evidence of where and why it failed."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if "/site-packages/pykis/" in frame.filename]
    return [
        f"{frame.filename.split('/site-packages/', 1)[1]}:{frame.lineno} in {frame.name}: {(frame.line or '').strip()}"
        for frame in frames
    ]


def main(argv: list[str]) -> int:
    config = json.loads(Path(argv[1]).read_text("utf-8"))
    point_at(config)
    pykis = importlib.import_module("pykis")
    print(json.dumps({"step": "version", "ok": True, "facts": {"version": pykis.__version__}}), flush=True)
    # python-kis's own way to trade on the virtual service: real credentials for quotes, virtual ones for orders.
    kis = pykis.PyKis(config["real"]["secret"], config["virtual"]["secret"], keep_token=False)
    real_kis = pykis.PyKis(config["real"]["secret"], keep_token=False)
    ctx: dict[str, Any] = {
        "kis": kis,
        "real_kis": real_kis,
        "account": kis.account(),
        "symbol": config["symbol"],
        "today": config["today"],
        "timeout": config["timeout"],
    }
    warnings = ctx["warnings"] = Warnings()
    logging.getLogger("pykis").addHandler(warnings)
    try:
        for name, step in STEPS.items():
            warnings.lines.clear()
            try:
                facts = step(ctx)
            except Exception as error:  # every failure is reported, with its evidence
                line = {
                    "step": name,
                    "ok": False,
                    "error": f"{type(error).__module__}.{type(error).__qualname__}",
                    "message": str(error)[:600],
                    "frames": library_frames(error),
                    "warnings": warnings.lines[:5],
                }
            else:
                line = {"step": name, "ok": True, "facts": facts}
            print(json.dumps(line, ensure_ascii=False, default=str), flush=True)
    finally:
        for client in (kis, real_kis):
            websocket = getattr(client, "_websocket", None)
            if websocket is not None:
                websocket.disconnect()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

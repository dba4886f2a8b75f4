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

Step = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]


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
# Each step gets the shared context and one client's side: ``kis``, ``account``, ``stock`` and the ``order`` it placed.


def stock(ctx: dict[str, Any], side: dict[str, Any]) -> dict[str, Any]:
    side["stock"] = found = side["kis"].stock(ctx["symbol"])
    return {"symbol": found.symbol, "market": found.market, "name": found.info.name}


def quote(ctx: dict[str, Any], side: dict[str, Any]) -> dict[str, Any]:
    answer = side["stock"].quote()
    return {"symbol": answer.symbol, "market": answer.market, "price": number(answer.price)}


def daily_chart(ctx: dict[str, Any], side: dict[str, Any]) -> dict[str, Any]:
    today = datetime.date.fromisoformat(ctx["today"])
    chart = side["stock"].daily_chart(start=today - datetime.timedelta(days=30), end=today)
    bars = list(chart.bars)
    return {
        "bars": len(bars),
        "first": bars[0].time.date().isoformat() if bars else None,
        "last": bars[-1].time.date().isoformat() if bars else None,
        "closes_positive": all(number(bar.close) > 0 for bar in bars),
    }


def orderbook(ctx: dict[str, Any], side: dict[str, Any]) -> dict[str, Any]:
    book = side["stock"].orderbook()
    asks, bids = list(book.asks), list(book.bids)
    return {
        "asks": len(asks),
        "bids": len(bids),
        "best_ask": number(asks[0].price) if asks else None,
        "best_bid": number(bids[0].price) if bids else None,
    }


def balance(ctx: dict[str, Any], side: dict[str, Any]) -> dict[str, Any]:
    answer = side["account"].balance()
    krw = answer.deposit("KRW")
    return {"stocks": len(list(answer.stocks)), "krw_deposit": number(krw.amount) if krw is not None else None}


def buy(ctx: dict[str, Any], side: dict[str, Any]) -> dict[str, Any]:
    """A limit buy at the day's lower price limit (하한가): it rests, so the order lists below can show it."""
    price = side["stock"].quote().low_limit
    order = side["order"] = side["stock"].buy(price=price, qty=1)
    return {"number": str(order.number), "price": number(price), "symbol": order.symbol}


def listed(side: dict[str, Any], orders: Any) -> dict[str, Any]:
    numbers = [str(order.number) for order in orders.orders]
    mine = side.get("order")
    return {"orders": len(numbers), "has_our_order": mine is not None and str(mine.number) in numbers}


def pending_orders(ctx: dict[str, Any], side: dict[str, Any]) -> dict[str, Any]:
    return listed(side, side["account"].pending_orders())


def daily_orders(ctx: dict[str, Any], side: dict[str, Any]) -> dict[str, Any]:
    today = datetime.date.fromisoformat(ctx["today"])
    return listed(side, side["account"].daily_orders(start=today - datetime.timedelta(days=7), end=today))


class Warnings(logging.Handler):
    """python-kis's warnings during a step (its WebSocket thread reports refused subscriptions only there)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage()[:300])


def realtime_price(ctx: dict[str, Any], side: dict[str, Any]) -> dict[str, Any]:
    """Subscribe to the realtime price (H0STCNT0) and wait for the first event, or a refusal."""
    received: list[Any] = []
    arrived = threading.Event()

    def on_price(_client: Any, event: Any) -> None:
        received.append(event.response)
        arrived.set()

    warnings: Warnings = ctx["warnings"]
    ticket = side["stock"].on("price", on_price)
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


# (name, client, step). "virtual": python-kis's way to practise — real credentials for quotes, virtual ones for
# orders; "real": real credentials only (its realtime examples and real trading).
STEPS: list[tuple[str, str, Step]] = [
    ("stock", "virtual", stock),
    ("quote", "virtual", quote),
    ("daily_chart", "virtual", daily_chart),
    ("orderbook", "virtual", orderbook),
    ("balance", "virtual", balance),
    ("buy", "virtual", buy),
    ("pending_orders", "virtual", pending_orders),
    ("daily_orders", "virtual", daily_orders),
    ("buy_real", "real", buy),
    ("pending_orders_real", "real", pending_orders),
    ("daily_orders_real", "real", daily_orders),
    ("realtime_price", "real", realtime_price),
    ("realtime_price_virtual_mode", "virtual", realtime_price),
]


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
    scope = importlib.import_module("pykis.scope.stock").KisStockScope
    ctx: dict[str, Any] = {"symbol": config["symbol"], "today": config["today"], "timeout": config["timeout"]}
    real_secret, virtual_secret = config["real"]["secret"], config["virtual"]["secret"]
    practice = pykis.PyKis(real_secret, virtual_secret, keep_token=False)
    # The real app key's token is shared through python-kis's own `token=` (a second issue within a minute is
    # refused with EGW00133, as by the real service).
    real = pykis.PyKis(real_secret, token=practice.token, keep_token=False)
    sides: dict[str, dict[str, Any]] = {}
    for name, kis in (("virtual", practice), ("real", real)):
        # The stock scope kis.stock() builds (KRX, this symbol), so the later steps run should the lookup fail.
        stock_scope = scope(kis=kis, market="KRX", symbol=config["symbol"], account=kis.primary)
        sides[name] = {"kis": kis, "account": kis.account(), "stock": stock_scope}
    warnings = ctx["warnings"] = Warnings()
    logging.getLogger("pykis").addHandler(warnings)
    try:
        for name, client, step in STEPS:
            warnings.lines.clear()
            try:
                facts = step(ctx, sides[client])
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
        for side in sides.values():
            websocket = getattr(side["kis"], "_websocket", None)
            if websocket is not None:
                websocket.disconnect()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""The account commands of ``pykis``: ``balance``, ``orders``, ``buy``/``sell`` and ``cancel`` — amounts in their
currency's places, rates with two decimals, order types and statuses in words."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pykis.cli.output import Output, Table
from pykis.cli.session import EXIT_API, EXIT_OK, Refused, client, confirm, money_text, rate_text

if TYPE_CHECKING:
    from pykis.client import PyKis

__all__ = ["cmd_balance", "cmd_cancel", "cmd_order", "cmd_orders"]


def cmd_balance(args: argparse.Namespace, out: Output, stdin: Any) -> int:
    """``pykis balance``: deposits, positions and totals (won)."""
    with client(args, out) as kis:
        balance = kis.account().balance()
    deposits = Table(
        f"Account {balance.account_number}: deposits",
        ("currency", "amount", "withdrawable", "exchange rate", "amount KRW"),
        [
            [
                d.currency,
                money_text(d.amount, d.currency),
                money_text(d.withdrawable, d.currency),
                d.exchange_rate,
                d.amount_krw,
            ]
            for d in balance.deposits.values()
        ],
        frozenset(("amount", "withdrawable", "exchange rate", "amount KRW")),
    )
    columns = ("market", "symbol", "name", "qty", "orderable", "avg price", "price", "amount", "profit", "rate %")
    positions = Table(
        "Positions",
        columns,
        [
            [
                s.market,
                s.symbol,
                s.name,
                s.qty,
                s.orderable,
                s.purchase_price,
                s.price,
                money_text(s.amount, s.currency),
                money_text(s.profit, s.currency),
                rate_text(s.profit_rate),
            ]
            for s in balance.stocks
        ],
        frozenset(columns[3:]),
    )
    totals = Table(
        "Totals (KRW)",
        ("deposits", "purchase", "current", "profit", "rate %", "total"),
        [
            [
                balance.deposit_amount,
                balance.purchase_amount,
                balance.current_amount,
                balance.profit,
                rate_text(balance.profit_rate),
                balance.total,
            ]
        ],
        frozenset(("deposits", "purchase", "current", "profit", "rate %", "total")),
    )
    data = {
        "balance": balance,
        "deposit_amount": balance.deposit_amount,
        "purchase_amount": balance.purchase_amount,
        "current_amount": balance.current_amount,
        "profit": balance.profit,
        "profit_rate": balance.profit_rate,
        "total": balance.total,
        "positions": [{"symbol": s.symbol, "market": s.market, "profit_rate": s.profit_rate} for s in balance.stocks],
    }
    out.result(data, deposits, positions, totals)
    return EXIT_OK


_ORDER_COLUMNS = ("time", "symbol", "name", "side", "type", "number", "price", "qty", "filled", "avg fill", "status")


def _order_status(order: Any, cancelled: frozenset[str] = frozenset()) -> str:
    """What became of an order, in words; ``cancelled`` holds the numbers that a cancel of the day names."""
    if getattr(order, "kind", "new") != "new":
        return f"{order.kind} of {order.original_number}"
    pending, filled = order.pending_qty, order.executed_qty
    gone = getattr(order, "cancelled_qty", 0) > 0 or (order.number in cancelled and not pending)
    if filled >= order.qty:
        return "filled"
    if filled:
        return "partly filled" if pending else "partly filled, rest cancelled" if gone else "partly filled, ended"
    if pending:
        return "pending"
    return "cancelled" if gone else "rejected"


def _order_row(order: Any, cancelled: frozenset[str] = frozenset()) -> dict[str, Any]:
    """An order of a table (pending or of the day) in words: type and status named, the fill price averaged."""
    from pykis.scopes.orders import order_type_name  # noqa: PLC0415 - cold start: `pykis --help`

    filled = order.executed_qty
    return {
        "time": order.time,
        "market": order.market,
        "symbol": order.symbol,
        "name": getattr(order, "name", "") or None,
        "side": order.side,
        "type": order_type_name(order.order_type, order.market),
        "number": order.number,
        "original_number": order.original_number,
        "price": order.price or None,  # a market order has none (the service sends 0)
        "qty": order.qty,
        "filled": filled,
        "avg fill": order.executed_amount / filled if filled else None,
        "pending": order.pending_qty,
        "status": _order_status(order, cancelled),
        "currency": getattr(order, "currency", None),
    }


def _order_cell(row: dict[str, Any], name: str) -> Any:
    return money_text(row[name], row["currency"]) if name == "avg fill" else row[name]


def _orders_table(title: str, rows: list[dict[str, Any]]) -> Table:
    return Table(
        title if rows else f"{title}: no orders",
        _ORDER_COLUMNS,
        [
            [
                money_text(row[name], row["currency"]) if name in ("price", "avg fill") else row[name]
                for name in _ORDER_COLUMNS
            ]
            for row in rows
        ],
        frozenset(("price", "qty", "filled", "avg fill")),
    )


def cmd_orders(args: argparse.Namespace, out: Output, stdin: Any) -> int:
    """``pykis orders [--pending]``: the day's (or the open) orders in words."""
    with client(args, out) as kis:
        account = kis.account()
        if args.pending:
            pending = account.pending_orders()
            rows = [_order_row(order) for order in pending]
            out.result(rows, _orders_table(f"Open orders of {account.account_number}", rows))
            return EXIT_OK
        daily = account.daily_orders()
    cancelled = frozenset(o.original_number for o in daily.orders if o.kind == "cancel" and o.original_number)
    rows = [_order_row(order, cancelled) for order in daily.orders]
    title = f"Orders of {daily.account_number}, {daily.start} to {daily.end}"
    out.result(rows, _orders_table(title, rows))
    return EXIT_OK


def _order_data(order: Any) -> dict[str, Any]:
    from pykis.scopes.orders import order_type_name  # noqa: PLC0415

    return {
        "account_number": order.account_number,
        "market": order.market,
        "symbol": order.symbol,
        "side": order.side,
        "type": order_type_name(order.order_type, order.market),
        "price": order.price or None,
        "qty": order.qty,
        "number": order.number,
        "time": order.time,
    }


def _check_real(kis: PyKis, allowed: bool, what: str) -> str:
    """``"virtual"`` or ``"real"``; raises :class:`Refused` for the real service without ``--real``."""
    if kis.virtual:
        return "virtual"
    if not allowed:
        raise Refused(
            f"refusing to {what} on the REAL (실전) service; pass --real to mean it "
            "(or --virtual-secret FILE to trade in 모의투자)"
        )
    return "real"


_RIGHT = frozenset(("price", "qty"))


def cmd_order(side: str) -> Callable[[argparse.Namespace, Output, Any], int]:
    """The handler of ``pykis buy`` or ``pykis sell``: shows the order, asks y/N (``--yes``), places it."""

    def handler(args: argparse.Namespace, out: Output, stdin: Any) -> int:
        with client(args, out) as kis:
            service = _check_real(kis, args.real, f"place a {side} order")
            stock = kis.stock(args.symbol)
            how = f"at {args.price} {stock.currency} (limit)" if args.price is not None else "at the market"
            summary = (
                f"{side.upper()} {args.qty} x {stock.symbol} {stock.name} ({stock.market}) {how}, "
                f"account {kis.primary_account} on the {service} service"
            )
            out.message(summary)
            if not args.yes and not confirm(stdin, "Place this order?", out):
                raise Refused("order not placed")
            order = stock.buy(args.price, args.qty) if side == "buy" else stock.sell(args.price, args.qty)
        data = _order_data(order)
        columns = tuple(data)
        out.result(data, Table(f"Order {order.number} accepted", columns, [list(data.values())], _RIGHT))
        return EXIT_OK

    return handler


def cmd_cancel(args: argparse.Namespace, out: Output, stdin: Any) -> int:
    """``pykis cancel ORDER``: cancels an open order; shows its number and the cancel's."""
    with client(args, out) as kis:
        service = _check_real(kis, args.real, "cancel an order")
        account = kis.account()
        order = account.pending_orders().order(args.order)
        if order is None:
            out.error(f"no open order numbered {args.order} (see pykis orders --pending)")
            return EXIT_API
        question = f"Cancel order {args.order} ({order.symbol}) of account {kis.primary_account} on the REAL service?"
        if service == "real" and not args.yes and not confirm(stdin, question, out):
            raise Refused("order not cancelled")
        cancelled = order.cancel()
    data = {"order": args.order, "cancel_number": cancelled.number, **_order_data(cancelled)}
    del data["number"]
    title = f"Order {args.order} cancelled (the cancel request is order {cancelled.number})"
    out.result(data, Table(title, tuple(data), [list(data.values())], _RIGHT))
    return EXIT_OK

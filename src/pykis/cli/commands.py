"""The ``pykis`` commands: their one declaration (``PROGRAM``, rendered by :mod:`pykis.cli.typed` or
:mod:`pykis.cli.plain`) and their handlers — credentials, market data, the account and orders; ``pykis emulator``
hands its arguments to :func:`pykis.emulator.cli.main`.

Every command takes ``--secret FILE`` / ``--virtual-secret FILE`` (default: ``$PYKIS_SECRET`` /
``$PYKIS_VIRTUAL_SECRET``, then ``./secret.json``) and ``--json``. Exit codes: 0 ok (also when the reader of
stdout goes away), 1 API or transport error (the service answered with an error, or did not answer), 2 usage (bad
arguments, an unknown symbol, missing or invalid credentials), 3 refused or aborted, nothing sent (an order that
breaks a trading rule — off the tick grid, outside the day's limits, more than the cash or shares —, an order on
the real service without ``--real``, an unconfirmed order, an existing secret file).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pykis.cli.output import Output, StdoutClosed, Table
from pykis.cli.spec import COMMON, Command, Handler, argument, flag, option, split_common

if TYPE_CHECKING:
    from pykis.client import PyKis
    from pykis.models.chart import ChartPeriod, KisChart
    from pykis.models.orderbook import KisOrderbook
    from pykis.models.quote import KisQuote

__all__ = ["EXIT_API", "EXIT_OK", "EXIT_REFUSED", "EXIT_USAGE", "HANDLERS", "PROGRAM", "execute", "passthrough"]

EXIT_OK, EXIT_API, EXIT_USAGE, EXIT_REFUSED = 0, 1, 2, 3
DEFAULT_SECRET = "secret.json"  # noqa: S105 - a file name


class Refused(Exception):
    """The command declined to act (exit code 3)."""


class Usage(Exception):
    """The command was used wrongly (exit code 2)."""


# ------------------------------------------------------------------------------------------------ converters
# Text → value; a ValueError's message is what the person at the terminal reads (see pykis.cli.spec).


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"not a whole number: {text!r}") from None
    if value <= 0:
        raise ValueError(f"must be positive: {text!r}")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"not a whole number: {text!r}") from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"not a number of seconds: {text!r}") from None
    if not value >= 0:  # also NaN
        raise ValueError(f"must be zero or more seconds: {text!r}")
    return value


def _price(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"not a price: {text!r}") from None
    if not value.is_finite() or value <= 0:
        raise ValueError(f"must be a positive price: {text!r}")
    return value


def _period(text: str) -> ChartPeriod | int:
    lowered = text.lower().removesuffix("min").removesuffix("minutes").strip()
    if lowered.isdigit():
        return _positive_int(lowered)
    if lowered in ("day", "week", "month", "year"):
        return lowered  # type: ignore[return-value]
    raise ValueError(f"period must be day, week, month, year or minutes (5, 5min): {text!r}")


def _span(text: str) -> str:
    from pykis.errors import KisValidationError
    from pykis.scopes.chart import parse_span

    try:
        parse_span(text)
    except KisValidationError as error:
        raise ValueError(str(error)) from None
    return text


def _windows(text: str) -> tuple[int, ...]:
    if text.strip().lower() in ("", "none", "0"):
        return ()
    try:
        return tuple(_positive_int(part.strip()) for part in text.split(","))
    except ValueError:
        raise ValueError(f"moving averages are bar counts like 5,20: {text!r}") from None


# ------------------------------------------------------------------------------------------------ running


def passthrough(program: Command, argv: Sequence[str], *, stdin: Any = None) -> int | None:
    """Run a passthrough command (``pykis [--json] emulator …``) with its arguments unparsed and return its exit
    code, or end a command line whose argument is a negative number with its usage error (2); ``None`` when
    ``argv`` is for the renderer to parse. Every renderer starts here."""
    split = split_common(list(argv))
    if split is None or not split[1]:
        return None
    values, (name, *rest) = split
    command = program.find(name)
    if command is None:
        return None
    if command.passthrough:
        return execute((program, command), {**values, "rest": rest}, stdin=stdin)
    message = _negative_argument(command, rest)
    if message is None:
        return None
    Output().error(message)
    return EXIT_USAGE


_NEGATIVE = re.compile(r"^-\d[\d.,]*$")


def _negative_argument(command: Command, rest: Sequence[str]) -> str | None:
    """The message for a negative number given as an argument (``pykis buy 005930 -1``), which click would
    otherwise take for an unknown option ("No such option: -1")."""
    while command.commands and rest and (child := command.find(rest[0])) is not None:
        command, rest = child, rest[1:]
    valued = {name for param in (*COMMON, *command.params) if param.takes_value for name in param.flags}
    arguments = [param for param in command.params if param.kind == "argument"]
    position, after_option = 0, False
    for token in rest:
        if after_option:
            after_option = False
        elif token in valued:
            after_option = True
        elif _NEGATIVE.match(token):
            if position < len(arguments) and arguments[position].convert is not None:
                param = arguments[position]
                try:
                    assert param.convert is not None
                    param.convert(token)
                except ValueError as error:
                    return f"{param.metavar} {error}"
            return None
        elif not token.startswith("-"):
            position += 0 if position < len(arguments) and arguments[position].many else 1
    return None


def execute(path: Sequence[Command], values: dict[str, Any], *, stdin: Any = None) -> int:
    """Run the command at the end of ``path`` (from the root) with its parsed ``values`` — every renderer's
    last step — and return the exit code."""
    command = path[-1]
    assert command.handler is not None, command.name
    args = argparse.Namespace(command=" ".join(c.name for c in path[1:]), **values)
    out = Output(json=bool(getattr(args, "json", False)))
    from pykis.cli.bars import progress_bars
    from pykis.errors import KisCredentialError, KisError, KisOrderValidationError, KisValidationError

    try:
        with progress_bars(out) if command.progress else contextlib.nullcontext():
            return command.handler(args, out, stdin or sys.stdin)
    except StdoutClosed:  # the reader went away (`| head`): a quiet, successful end
        return EXIT_OK
    except Refused as refused:
        out.error(str(refused))
        return EXIT_REFUSED
    except KisOrderValidationError as error:  # an order that breaks a trading rule: refused, nothing was sent
        out.error(f"refused, nothing was sent: {error}")
        return EXIT_REFUSED
    except Usage as error:
        out.error(str(error))
        return EXIT_USAGE
    except KisCredentialError as error:
        out.error(str(error))
        return EXIT_USAGE
    except KisValidationError as error:  # bad input (an unknown symbol, a bad span) refused before sending
        out.error(f"{type(error).__name__}: {error}")
        return EXIT_USAGE
    except KisError as error:
        out.error(f"{type(error).__name__}: {error}")
        return EXIT_API
    except OSError as error:
        out.error(str(error))
        return EXIT_API
    except KeyboardInterrupt:
        out.error("interrupted")
        return EXIT_REFUSED


DEFAULT_VIRTUAL_SECRET = "virtual_secret.json"  # noqa: S105 - a file name


def _credentials(args: argparse.Namespace) -> tuple[str | None, str | None]:
    """The secret files of this command: the options, else ``$PYKIS_SECRET`` / ``$PYKIS_VIRTUAL_SECRET``, else
    the files ``pykis auth init`` writes into the current folder — so that one shell session (an ``export``, or
    the folder) addresses one account in every command alike."""
    explicit = args.secret or os.environ.get("PYKIS_SECRET")
    secret = explicit or (DEFAULT_SECRET if Path(DEFAULT_SECRET).exists() else None)
    virtual = args.virtual_secret or os.environ.get("PYKIS_VIRTUAL_SECRET")
    if virtual is None and explicit is None and Path(DEFAULT_VIRTUAL_SECRET).exists():
        virtual = DEFAULT_VIRTUAL_SECRET  # not beside an explicit real file: that one means the real account
    if secret is None and virtual is None:
        raise Usage(
            "no credentials: run `pykis auth init`, pass --secret FILE / --virtual-secret FILE, "
            "or set PYKIS_SECRET / PYKIS_VIRTUAL_SECRET"
        )
    return secret, virtual


def _client(args: argparse.Namespace, out: Output) -> PyKis:
    """The client of this command; says on stderr which account and service it acts on (not with ``--json``,
    whose output says it in its data)."""
    from pykis.client import PyKis

    secret, virtual = _credentials(args)
    kis = PyKis(secret, virtual)
    if not args.json:
        out.message(_header(kis, virtual if kis.virtual else secret))
    return kis


def _header(kis: PyKis, source: str | None) -> str:
    service = "모의투자 (virtual)" if kis.virtual else "실전 (REAL)"
    return f"account {kis.primary_account} · {service} service · {source}"


def _ask(stdin: Any, question: str, out: Output) -> str:
    out.message(question)
    try:
        line = stdin.readline()
    except (OSError, ValueError):
        line = ""
    if not line:
        raise Refused("no answer (use --yes to confirm without asking)")
    return str(line).strip()


_TRIES = 3


def _ask_until(stdin: Any, question: str, out: Output, check: Callable[[str], str | None]) -> str:
    """Ask until ``check(answer)`` returns no complaint (it says what is wrong), at most three times."""
    for _ in range(_TRIES):
        answer = _ask(stdin, question, out)
        complaint = check(answer)
        if complaint is None:
            return answer
        out.error(f"{complaint}; try again")
    raise Usage(f"{question.rstrip(':? ')}: no valid answer after {_TRIES} tries")


def _confirm(stdin: Any, question: str, out: Output) -> bool:
    """A y/N question: y or yes, n, no or nothing (no); anything else is asked again."""
    answer = _ask_until(
        stdin,
        f"{question} [y/N]",
        out,
        lambda text: None if text.lower() in ("y", "yes", "n", "no", "") else f"answer y or n, not {text!r}",
    )
    return answer.lower() in ("y", "yes")


# ------------------------------------------------------------------------------------------------ auth

_VALID = {"id": "x", "appkey": "A" * 36, "secretkey": "S" * 180, "account": "00000000-01"}


def _check_field(name: str) -> Callable[[str], str | None]:
    """The check of one answer of ``auth init``: :class:`~pykis.KisAuth`'s own, with the other fields valid."""

    def check(answer: str) -> str | None:
        from pykis.auth import KisAuth
        from pykis.errors import KisCredentialError

        try:
            KisAuth(**{**_VALID, name: answer})  # type: ignore[arg-type]
        except KisCredentialError as error:
            return str(error)
        return None

    return check


def cmd_auth(args: argparse.Namespace, out: Output, stdin: Any) -> int:
    from pykis.auth import KisAuth

    def field(value: str | None, name: str, prompt: str, secret: bool = False) -> str:
        if value:
            return value
        check = _check_field(name)
        if secret and stdin is sys.stdin and stdin.isatty():
            import getpass

            for _ in range(_TRIES):
                answer = getpass.getpass(f"{prompt}: ")
                complaint = check(answer)
                if complaint is None:
                    return answer
                out.error(f"{complaint}; try again")
            raise Usage(f"{prompt}: no valid answer after {_TRIES} tries")
        return _ask_until(stdin, f"{prompt}:", out, check)

    user = field(args.id, "id", "HTS login ID")
    appkey = field(args.appkey, "appkey", "App key (36 characters)")
    secretkey = field(args.secretkey, "secretkey", "App secret (180 characters)", secret=True)
    account = field(args.account, "account", "Account number (NNNNNNNN-NN)")
    virtual = args.virtual
    if virtual is None:
        prompted = not (args.id and args.appkey and args.secretkey and args.account)
        virtual = prompted and not args.yes and _confirm(stdin, "A 모의투자 (virtual) key?", out)
    auth = KisAuth(id=user, appkey=appkey, secretkey=secretkey, account=account, virtual=bool(virtual))
    path = Path(args.output or ("virtual_secret.json" if auth.virtual else "secret.json"))
    if path.exists() and not (args.force or args.yes):
        raise Refused(f"{path} exists; pass --force to overwrite it")
    auth.save(path)
    if args.json:
        out.result({"path": str(path.resolve()), "id": auth.id, "account": auth.account, "virtual": auth.virtual})
    else:
        out.message(f"wrote {path} (mode 0600): {auth!r}")
    return EXIT_OK


# ------------------------------------------------------------------------------------------------ market data

_QUOTE_COLUMNS = ("symbol", "market", "name", "price", "change", "rate %", "open", "high", "low", "volume")
_NUMERIC = frozenset({"price", "change", "rate %", "open", "high", "low", "volume", "qty", "amount", "close"})


def _quote_row(quote: KisQuote) -> list[Any]:
    return [
        quote.symbol,
        quote.market,
        quote.name,
        quote.price,
        quote.change,
        _rate(quote.rate),
        quote.open,
        quote.high,
        quote.low,
        quote.volume,
    ]


def _quote_data(quote: KisQuote) -> dict[str, Any]:
    import msgspec

    data: dict[str, Any] = msgspec.structs.asdict(quote)
    data["price"], data["rate"] = quote.price, quote.rate
    return data


def cmd_quote(args: argparse.Namespace, out: Output, stdin: Any) -> int:
    with _client(args, out) as kis:
        quotes = kis.quotes(args.symbols)
    table = Table("Quotes", _QUOTE_COLUMNS, [_quote_row(q) for q in quotes], _NUMERIC)
    out.result([_quote_data(q) for q in quotes], table)
    return EXIT_OK


def _bars_table(chart: KisChart, rows: int) -> Table:
    columns = ("time", "open", "high", "low", "close", "volume")
    bars = chart.bars[-rows:] if rows > 0 else ()
    body = [[b.time, b.open, b.high, b.low, b.close, b.volume] for b in bars]
    title = f"{chart.symbol} ({chart.market}): {len(chart)} bars" + (f", last {len(body)}" if body else "")
    return Table(title, columns, body, frozenset(columns[1:]))


def _write_csv(chart: KisChart, path: Path) -> None:
    import csv

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("time", "open", "high", "low", "close", "volume", "amount"))
        for bar in chart.bars:
            writer.writerow((bar.time.isoformat(), bar.open, bar.high, bar.low, bar.close, bar.volume, bar.amount))


def cmd_chart(args: argparse.Namespace, out: Output, stdin: Any) -> int:
    span = args.span or ("1d" if isinstance(args.period, int) else "3m")
    with _client(args, out) as kis:
        stock = kis.stock(args.symbol)
        chart = stock.chart(span, period=args.period)
    written: dict[str, str] = {}
    if args.csv:
        _write_csv(chart, Path(args.csv))
        written["csv"] = str(args.csv)
    if args.png:
        try:
            name = stock.english_name or stock.name
            chart.plot(args.png, ma=args.ma, width=args.width, height=args.height, name=name)
        except ImportError:
            raise Usage("--png needs matplotlib: pip install 'pykis-client[plot]'") from None
        except ValueError as error:
            raise Usage(str(error)) from None
        written["png"] = str(args.png)
    if args.json:
        out.result({"chart": chart, "written": written})
        return EXIT_OK
    out.tables(_bars_table(chart, args.rows))
    for kind, path in written.items():
        out.message(f"wrote {kind.upper()} {path}")
    return EXIT_OK


def _book_table(book: KisOrderbook) -> Table:
    rows: list[list[Any]] = [[level.volume, level.price, ""] for level in reversed(book.asks)]
    rows += [["", level.price, level.volume] for level in book.bids]
    rows.append([book.ask_volume, "total", book.bid_volume])
    when = f" at {book.time:%H:%M:%S}" if book.time else ""
    return Table(
        f"{book.symbol} ({book.market}) order book{when}",
        ("ask qty", "price", "bid qty"),
        rows,
        frozenset(("ask qty", "price", "bid qty")),
    )


def cmd_orderbook(args: argparse.Namespace, out: Output, stdin: Any) -> int:
    with _client(args, out) as kis:
        book = kis.stock(args.symbol).orderbook()
    out.result(book, _book_table(book))
    return EXIT_OK


# ------------------------------------------------------------------------------------------------ account


def cmd_balance(args: argparse.Namespace, out: Output, stdin: Any) -> int:
    with _client(args, out) as kis:
        balance = kis.account().balance()
    deposits = Table(
        f"Account {balance.account_number}: deposits",
        ("currency", "amount", "withdrawable", "exchange rate", "amount KRW"),
        [
            [
                d.currency,
                _money(d.amount, d.currency),
                _money(d.withdrawable, d.currency),
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
                _money(s.amount, s.currency),
                _money(s.profit, s.currency),
                _rate(s.profit_rate),
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
                _rate(balance.profit_rate),
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
    from pykis.scopes.trading import order_type_name

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
    return _money(row[name], row["currency"]) if name == "avg fill" else row[name]


def _orders_table(title: str, rows: list[dict[str, Any]]) -> Table:
    return Table(
        title if rows else f"{title}: no orders",
        _ORDER_COLUMNS,
        [
            [
                _money(row[name], row["currency"]) if name in ("price", "avg fill") else row[name]
                for name in _ORDER_COLUMNS
            ]
            for row in rows
        ],
        frozenset(("price", "qty", "filled", "avg fill")),
    )


def cmd_orders(args: argparse.Namespace, out: Output, stdin: Any) -> int:
    with _client(args, out) as kis:
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
    from pykis.scopes.trading import order_type_name

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


def _money(value: Any, currency: str | None) -> Any:
    """An amount in its currency's places, as table text (``3408.80``, ``7588000``)."""
    from pykis.models._base import money

    return format(money(value, currency), "f") if isinstance(value, Decimal) else value


def _rate(value: Decimal) -> str:
    """A rate in percent with two decimals, as table text (``1.50``)."""
    return f"{value:.2f}"


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


def _cmd_order(side: str) -> Callable[[argparse.Namespace, Output, Any], int]:
    def handler(args: argparse.Namespace, out: Output, stdin: Any) -> int:
        with _client(args, out) as kis:
            service = _check_real(kis, args.real, f"place a {side} order")
            stock = kis.stock(args.symbol)
            how = f"at {args.price} {stock.currency} (limit)" if args.price is not None else "at the market"
            summary = (
                f"{side.upper()} {args.qty} x {stock.symbol} {stock.name} ({stock.market}) {how}, "
                f"account {kis.primary_account} on the {service} service"
            )
            out.message(summary)
            if not args.yes and not _confirm(stdin, "Place this order?", out):
                raise Refused("order not placed")
            order = stock.buy(args.price, args.qty) if side == "buy" else stock.sell(args.price, args.qty)
        data = _order_data(order)
        columns = tuple(data)
        out.result(data, Table(f"Order {order.number} accepted", columns, [list(data.values())], _RIGHT))
        return EXIT_OK

    return handler


def cmd_cancel(args: argparse.Namespace, out: Output, stdin: Any) -> int:
    with _client(args, out) as kis:
        _check_real(kis, args.real, "cancel an order")
        account = kis.account()
        order = account.pending_orders().order(args.order)
        if order is None:
            out.error(f"no open order numbered {args.order} (see pykis orders --pending)")
            return EXIT_API
        cancelled = order.cancel()
    data = {"order": args.order, "cancel_number": cancelled.number, **_order_data(cancelled)}
    del data["number"]
    title = f"Order {args.order} cancelled (the cancel request is order {cancelled.number})"
    out.result(data, Table(title, tuple(data), [list(data.values())], _RIGHT))
    return EXIT_OK


# ------------------------------------------------------------------------------------------------ realtime


def cmd_watch(args: argparse.Namespace, out: Output, stdin: Any) -> int:
    latest: dict[str, Any] = {}
    counts: dict[str, int] = {}
    lock = threading.Lock()
    columns = ("symbol", "time", "price", "change", "rate %", "volume", "updates")

    def on_price(sender: Any, e: Any) -> None:
        event = e.response
        with lock:
            latest[event.symbol] = event
            counts[event.symbol] = counts.get(event.symbol, 0) + 1
        if args.json and not out.closed:
            from pykis.cli.output import to_json

            line = {
                "symbol": event.symbol,
                "market": event.market,
                "time": event.time,
                "price": event.price,
                "change": event.change,
                "rate": event.rate,
                "volume": event.volume,
            }
            with contextlib.suppress(StdoutClosed):  # out.closed is set: the command's loop ends
                out.write_line(to_json(line))

    def render() -> Table:
        rows = []
        with lock:
            for symbol in symbols:
                event = latest.get(symbol)
                if event is None:
                    rows.append([symbol, None, None, None, None, None, 0])
                else:
                    rows.append(
                        [symbol, event.time, event.price, event.change, _rate(event.rate), event.volume, counts[symbol]]
                    )
        return Table("Realtime prices", columns, rows, frozenset(columns[2:]))

    deadline: float | None = time.monotonic() + float(args.seconds) if args.seconds is not None else None

    def wait(step: float) -> bool:
        if out.closed:
            return False
        if deadline is None:
            time.sleep(step)
            return True
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(step, left))
        return time.monotonic() < deadline and not out.closed

    with _client(args, out) as kis:
        stocks = [kis.stock(symbol) for symbol in args.symbols]
        symbols = [stock.symbol for stock in stocks]
        tickets = [stock.on("price", on_price) for stock in stocks]
        try:
            if args.json:
                while wait(0.5):
                    pass
            else:
                out.live(render, wait)
        except KeyboardInterrupt:
            if not args.json:
                out.tables(render())
        finally:
            for ticket in tickets:
                ticket.unsubscribe()
    return EXIT_OK


def cmd_emulator(args: argparse.Namespace, out: Output, stdin: Any) -> int:
    from pykis.cli import renderer
    from pykis.emulator.cli import build_parser
    from pykis.emulator.cli import main as emulator_main

    if {"-h", "--help"} & set(args.rest) and renderer() == "typer" and out.rich:
        from pykis.cli.typed import argparse_help

        argparse_help(build_parser(), out.stdout)  # the look of every other command's help
        return EXIT_OK
    try:
        return emulator_main((["--json"] if args.json else []) + list(args.rest))
    except SystemExit as exit_:  # its argparse: --help, usage errors
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE if exit_.code else EXIT_OK


# ------------------------------------------------------------------------------------------------ the declaration

_REAL = "allow an order on the real (실전) service"

PROGRAM = Command(
    "pykis",
    "The KIS Open Trading API from the command line; pykis emulator runs a local KIS-compatible server.",
    commands=(
        Command(
            "auth",
            "manage secret files",
            commands=(
                Command(
                    "init",
                    "ask for the app key and write a secret file (mode 0600)",
                    cmd_auth,
                    (
                        option("--id", metavar="ID", help="HTS login ID"),
                        option("--appkey", metavar="KEY", help="app key (36 characters)"),
                        option("--secretkey", metavar="SECRET", help="app secret (180 characters)"),
                        option("--account", metavar="NUMBER", help="account number NNNNNNNN-NN"),
                        flag("--virtual", default=None, help="a 모의투자 (virtual trading) key"),
                        option(
                            "-o", "--output", metavar="FILE", help="where to write (default: [virtual_]secret.json)"
                        ),
                        flag("--force", help="overwrite an existing file"),
                        flag("-y", "--yes", help="ask no y/N question: not virtual unless --virtual; overwrite"),
                    ),
                ),
            ),
        ),
        Command(
            "quote",
            "current prices of one or more stocks",
            cmd_quote,
            (argument("symbols", "SYMBOL", "stock codes or tickers: 005930 NVDA", many=True),),
            progress=True,
        ),
        Command(
            "chart",
            "price bars of a stock; --png draws candlesticks, --csv saves the bars",
            cmd_chart,
            (
                argument("symbol", "SYMBOL", "stock code or ticker"),
                option(
                    "--range",
                    dest="span",
                    metavar="SPAN",
                    convert=_span,
                    help="look-back like 3m, 1y, 5d, 3h (default: 3m; 1d for minutes)",
                ),
                option(
                    "--period",
                    metavar="PERIOD",
                    convert=_period,
                    default="day",
                    help="day, week, month, year, or minutes (5)",
                ),
                option("--png", metavar="FILE", help="save a candlestick picture with volume"),
                option("--csv", metavar="FILE", help="save the bars as CSV"),
                option(
                    "--ma",
                    metavar="N,N",
                    convert=_windows,
                    default=(5, 20),
                    help="moving averages on the picture (default 5,20)",
                ),
                option(
                    "--width",
                    metavar="PX",
                    convert=_positive_int,
                    default=1200,
                    type=int,
                    help="picture width in pixels",
                ),
                option(
                    "--height",
                    metavar="PX",
                    convert=_positive_int,
                    default=800,
                    type=int,
                    help="picture height in pixels",
                ),
                option(
                    "--rows",
                    metavar="N",
                    convert=_int,
                    default=20,
                    type=int,
                    help="how many recent bars to print (0: none)",
                ),
            ),
            progress=True,
        ),
        Command(
            "orderbook",
            "the order book of a stock: 10 levels each side",
            cmd_orderbook,
            (argument("symbol", "SYMBOL", "stock code or ticker"),),
            progress=True,
        ),
        Command("balance", "deposits and positions of the account", cmd_balance),
        Command(
            "orders",
            "today's orders (with --pending: the open ones)",
            cmd_orders,
            (flag("--pending", help="only orders still open"),),
        ),
        *(
            Command(
                side,
                f"{side} QTY shares of SYMBOL (asks for confirmation)",
                _cmd_order(side),
                (
                    argument("symbol", "SYMBOL", "stock code or ticker"),
                    argument("qty", "QTY", "how many shares", convert=_positive_int, type=int),
                    option("--price", metavar="PRICE", convert=_price, help="limit price (default: a market order)"),
                    flag("-y", "--yes", help="do not ask for confirmation"),
                    flag("--real", help=_REAL),
                ),
                progress=True,
            )
            for side in ("buy", "sell")
        ),
        Command(
            "cancel",
            "cancel an open order by its number",
            cmd_cancel,
            (
                argument("order", "ORDER", "the order number (see pykis orders --pending)"),
                flag("--real", help="allow cancelling on the real (실전) service"),
            ),
            progress=True,
        ),
        Command(
            "watch",
            "a live table of realtime prices",
            cmd_watch,
            (
                argument("symbols", "SYMBOL", "stock codes or tickers", many=True),
                option(
                    "--seconds",
                    metavar="S",
                    convert=_seconds,
                    type=float,
                    help="stop after this long (default: until Ctrl-C)",
                ),
            ),
            progress=True,
        ),
        Command(
            "emulator",
            "run the local KIS emulator (pykis emulator --help)",
            cmd_emulator,
            passthrough=True,
        ),
    ),
)
"""Every command, once: what the typer app and the argparse parser are rendered from."""

HANDLERS: dict[str, Handler] = {
    " ".join(c.name for c in path[1:]): path[-1].handler for path in PROGRAM.walk() if path[-1].handler is not None
}
"""Handler of each command path (``"auth init"``, ``"quote"``…)."""

"""The ``pykis`` commands: their one declaration (``PROGRAM``, rendered by :mod:`pykis.cli.typed` or
:mod:`pykis.cli.plain`) and their handlers — credentials, market data, the account and orders; ``pykis emulator``
hands its arguments to :func:`pykis.emulator.cli.main`.

Every command takes ``--secret FILE`` / ``--virtual-secret FILE`` (default: ``$PYKIS_SECRET`` /
``$PYKIS_VIRTUAL_SECRET``, then ``./secret.json``) and ``--json``. Exit codes: 0 ok, 1 API or transport error,
2 usage (bad arguments, missing or invalid credentials), 3 refused or aborted (an order on the real service
without ``--real``, an unconfirmed order, an existing secret file).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pykis.cli.output import Output, Table
from pykis.cli.spec import Command, Handler, argument, flag, option, split_common

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
    code; ``None`` when ``argv`` names no such command. Every renderer starts here."""
    split = split_common(list(argv))
    if split is None or not split[1]:
        return None
    values, (name, *rest) = split
    command = program.find(name)
    if command is None or not command.passthrough:
        return None
    return execute((program, command), {**values, "rest": rest}, stdin=stdin)


def execute(path: Sequence[Command], values: dict[str, Any], *, stdin: Any = None) -> int:
    """Run the command at the end of ``path`` (from the root) with its parsed ``values`` — every renderer's
    last step — and return the exit code."""
    command = path[-1]
    assert command.handler is not None, command.name
    args = argparse.Namespace(command=" ".join(c.name for c in path[1:]), **values)
    out = Output(json=bool(getattr(args, "json", False)))
    from pykis.cli.bars import progress_bars
    from pykis.errors import KisCredentialError, KisError

    try:
        with progress_bars(out) if command.progress else contextlib.nullcontext():
            return command.handler(args, out, stdin or sys.stdin)
    except Refused as refused:
        out.error(str(refused))
        return EXIT_REFUSED
    except (Usage, KisCredentialError) as error:
        out.error(str(error))
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


def _client(args: argparse.Namespace) -> PyKis:
    from pykis.client import PyKis

    secret = args.secret or os.environ.get("PYKIS_SECRET")
    virtual = args.virtual_secret or os.environ.get("PYKIS_VIRTUAL_SECRET")
    if secret is None and virtual is None:
        if not Path(DEFAULT_SECRET).exists():
            raise Usage("no credentials: pass --secret FILE, set PYKIS_SECRET, or run `pykis auth init`")
        secret = DEFAULT_SECRET
    return PyKis(secret, virtual)


def _ask(stdin: Any, question: str, out: Output) -> str:
    out.message(question)
    try:
        line = stdin.readline()
    except (OSError, ValueError):
        line = ""
    if not line:
        raise Refused("no answer (use --yes to confirm without asking)")
    return str(line).strip()


# ------------------------------------------------------------------------------------------------ auth


def cmd_auth(args: argparse.Namespace, out: Output, stdin: Any) -> int:
    from pykis.auth import KisAuth

    def field(value: str | None, prompt: str, secret: bool = False) -> str:
        if value:
            return value
        if secret and stdin is sys.stdin and stdin.isatty():
            import getpass

            return getpass.getpass(f"{prompt}: ")
        answer = _ask(stdin, f"{prompt}:", out)
        if not answer:
            raise Usage(f"{prompt} is required")
        return answer

    if args.secretkey not in (None, "-"):
        raise Usage(
            "--secretkey would leave the secret in shell history and the process list: leave it out to be "
            "prompted, or pass --secretkey - and pipe the secret on stdin"
        )
    user = field(args.id, "HTS login ID")
    appkey = field(args.appkey, "App key (36 characters)")
    secretkey = field(None, "App secret (180 characters)", secret=True)
    account = field(args.account, "Account number (NNNNNNNN-NN)")
    virtual = args.virtual
    if virtual is None:
        prompted = not (args.id and args.appkey and args.secretkey == "-" and args.account)
        virtual = prompted and _ask(stdin, "A 모의투자 (virtual) key? [y/N]", out).lower() in ("y", "yes")
    auth = KisAuth(id=user, appkey=appkey, secretkey=secretkey, account=account, virtual=bool(virtual))
    path = Path(args.output or ("virtual_secret.json" if auth.virtual else "secret.json"))
    if path.exists() and not args.force:
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
        quote.rate,
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
    with _client(args) as kis:
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
    with _client(args) as kis:
        chart = kis.stock(args.symbol).chart(span, period=args.period)
    written: dict[str, str] = {}
    if args.csv:
        _write_csv(chart, Path(args.csv))
        written["csv"] = str(args.csv)
    if args.png:
        try:
            chart.plot(args.png, ma=args.ma, width=args.width, height=args.height)
        except ImportError:
            raise Usage("--png needs matplotlib: pip install 'pykis[plot]'") from None
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
    with _client(args) as kis:
        book = kis.stock(args.symbol).orderbook()
    out.result(book, _book_table(book))
    return EXIT_OK


# ------------------------------------------------------------------------------------------------ account


def cmd_balance(args: argparse.Namespace, out: Output, stdin: Any) -> int:
    with _client(args) as kis:
        balance = kis.account().balance()
    deposits = Table(
        f"Account {balance.account_number}: deposits",
        ("currency", "amount", "withdrawable", "exchange rate", "amount KRW"),
        [[d.currency, d.amount, d.withdrawable, d.exchange_rate, d.amount_krw] for d in balance.deposits.values()],
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
                s.amount,
                s.profit,
                s.profit_rate,
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
                _pct(balance.profit_rate),
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
        "total": balance.total,
    }
    out.result(data, deposits, positions, totals)
    return EXIT_OK


_PENDING = ("time", "market", "symbol", "side", "order_type", "number", "price", "qty", "executed_qty", "pending_qty")


def cmd_orders(args: argparse.Namespace, out: Output, stdin: Any) -> int:
    with _client(args) as kis:
        account = kis.account()
        if args.pending:
            pending = account.pending_orders()
            rows = [[getattr(order, name) for name in _PENDING] for order in pending]
            data: Any = [dict(zip(_PENDING, row, strict=True)) for row in rows]
            table = Table(f"Open orders of {account.account_number}", _PENDING, rows, frozenset(_PENDING[6:]))
            out.result(data, table)
            return EXIT_OK
        daily = account.daily_orders()
    columns = ("time", "symbol", "name", "side", "kind", "number", "price", "qty", "executed_qty", "pending_qty")
    rows = [[getattr(order, name) for name in columns] for order in daily.orders]
    title = f"Orders of {daily.account_number}, {daily.start} to {daily.end}"
    out.result(daily, Table(title, columns, rows, frozenset(columns[6:])))
    return EXIT_OK


def _order_data(order: Any) -> dict[str, Any]:
    names = ("account_number", "market", "symbol", "side", "order_type", "price", "qty", "branch", "number", "time")
    return {name: getattr(order, name) for name in names}


def _pct(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


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


def _cmd_order(side: str) -> Callable[[argparse.Namespace, Output, Any], int]:
    def handler(args: argparse.Namespace, out: Output, stdin: Any) -> int:
        with _client(args) as kis:
            service = _check_real(kis, args.real, f"place a {side} order")
            stock = kis.stock(args.symbol)
            how = f"at {args.price} {stock.currency} (limit)" if args.price is not None else "at the market"
            summary = (
                f"{side.upper()} {args.qty} x {stock.symbol} {stock.name} ({stock.market}) {how}, "
                f"account {kis.primary_account} on the {service} service"
            )
            out.message(summary)
            if not args.yes and _ask(stdin, "Place this order? [y/N]", out).lower() not in ("y", "yes"):
                raise Refused("order not placed")
            order = stock.buy(args.price, args.qty) if side == "buy" else stock.sell(args.price, args.qty)
        data = _order_data(order)
        columns = tuple(data)
        out.result(data, Table(f"Order {order.number} accepted", columns, [list(data.values())]))
        return EXIT_OK

    return handler


def cmd_cancel(args: argparse.Namespace, out: Output, stdin: Any) -> int:
    with _client(args) as kis:
        service = _check_real(kis, args.real, "cancel an order")
        account = kis.account()
        order = account.pending_orders().order(args.order)
        if order is None:
            out.error(f"no open order numbered {args.order} (see pykis orders --pending)")
            return EXIT_API
        question = f"Cancel order {args.order} ({order.symbol}) of account {kis.primary_account} on the REAL service?"
        if service == "real" and not args.yes and _ask(stdin, f"{question} [y/N]", out).lower() not in ("y", "yes"):
            raise Refused("order not cancelled")
        cancelled = order.cancel()
    data = _order_data(cancelled)
    data["cancelled"] = args.order
    out.result(data, Table(f"Order {args.order} cancelled", tuple(data), [list(data.values())]))
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
        if args.json:
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
            print(to_json(line), file=out.stdout, flush=True)

    def render() -> Table:
        rows = []
        with lock:
            for symbol in symbols:
                event = latest.get(symbol)
                if event is None:
                    rows.append([symbol, None, None, None, None, None, 0])
                else:
                    rows.append(
                        [symbol, event.time, event.price, event.change, event.rate, event.volume, counts[symbol]]
                    )
        return Table("Realtime prices", columns, rows, frozenset(columns[2:]))

    deadline: float | None = time.monotonic() + float(args.seconds) if args.seconds is not None else None

    def wait(step: float) -> bool:
        if deadline is None:
            time.sleep(step)
            return True
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(step, left))
        return time.monotonic() < deadline

    with _client(args) as kis:
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
    from pykis.emulator.cli import main as emulator_main

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
                        option(
                            "--secretkey",
                            metavar="-",
                            help="'-': read the app secret from stdin (it is never taken on the command line)",
                        ),
                        option("--account", metavar="NUMBER", help="account number NNNNNNNN-NN"),
                        flag("--virtual", default=None, help="a 모의투자 (virtual trading) key"),
                        option(
                            "-o", "--output", metavar="FILE", help="where to write (default: [virtual_]secret.json)"
                        ),
                        flag("--force", help="overwrite an existing file"),
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
                flag("-y", "--yes", help="do not ask for confirmation (asked on the real service)"),
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

"""The ``pykis`` commands: their one declaration (``PROGRAM``, rendered by :mod:`pykis.cli.typed` or
:mod:`pykis.cli.plain`), how a parsed command runs (:func:`execute`), and the handlers of credentials, market data
and realtime prices; the account commands are in :mod:`pykis.cli.account`, what they all share in
:mod:`pykis.cli.session`; ``pykis emulator`` hands its arguments to :func:`pykis.emulator.cli.main`.

Every command takes ``--secret FILE`` / ``--virtual-secret FILE`` (default: ``$PYKIS_SECRET`` /
``$PYKIS_VIRTUAL_SECRET``, then ``./secret.json`` / ``./virtual_secret.json``) and ``--json``. Exit codes: 0 ok
(also when the reader of stdout goes away), 1 API or transport error (the service answered with an error, or did
not answer), 2 usage (bad arguments, an unknown symbol, missing or invalid credentials), 3 refused or aborted,
nothing sent (an order that breaks a trading rule — off the tick grid, outside the day's limits, more than the cash
or shares —, an order on the real service without ``--real``, an unconfirmed order, an existing secret file)."""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
import threading
import time
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pykis.cli.account import cmd_balance, cmd_cancel, cmd_order, cmd_orders
from pykis.cli.output import Output, StdoutClosed, Table
from pykis.cli.session import (
    EXIT_API,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_USAGE,
    Refused,
    Usage,
    ask_until,
    client,
    confirm,
    rate_text,
)
from pykis.cli.spec import COMMON, Command, Handler, argument, flag, option, split_common

if TYPE_CHECKING:
    from pykis.models.chart import ChartPeriod, KisChart
    from pykis.models.orderbook import KisOrderbook
    from pykis.models.quote import KisQuote

__all__ = ["EXIT_API", "EXIT_OK", "EXIT_REFUSED", "EXIT_USAGE", "HANDLERS", "PROGRAM", "execute", "passthrough"]

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
            complaint = _check_field(name)(value)
            if complaint is not None:
                raise Usage(f"--{name}: {complaint}")
            return value
        return ask_until(stdin, f"{prompt}:", out, _check_field(name), secret=secret)

    if args.secretkey not in (None, "-"):
        raise Usage(
            "--secretkey would leave the secret in shell history and the process list: leave it out to be "
            "prompted, or pass --secretkey - and pipe the secret on stdin"
        )
    user = field(args.id, "id", "HTS login ID")
    appkey = field(args.appkey, "appkey", "App key (36 characters)")
    secretkey = field(None, "secretkey", "App secret (180 characters)", secret=True)
    account = field(args.account, "account", "Account number (NNNNNNNN-NN)")
    virtual = args.virtual
    if virtual is None:
        prompted = not (args.id and args.appkey and args.secretkey == "-" and args.account)
        virtual = prompted and not args.yes and confirm(stdin, "A 모의투자 (virtual) key?", out)
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
        rate_text(quote.rate),
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
    with client(args, out) as kis:
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
    with client(args, out) as kis:
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
    if not chart.bars:
        # An empty chart is news: say which window was asked and what the service's date is.
        out.error(
            f"no bars for {args.symbol} over the last {span} (the service's time is {kis.now():%Y-%m-%d %H:%M %Z})"
        )
        return EXIT_API
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
    with client(args, out) as kis:
        book = kis.stock(args.symbol).orderbook()
    out.result(book, _book_table(book))
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
                        [
                            symbol,
                            event.time,
                            event.price,
                            event.change,
                            rate_text(event.rate),
                            event.volume,
                            counts[symbol],
                        ]
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

    with client(args, out) as kis:
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


def cmd_gateway(args: argparse.Namespace, out: Output, stdin: Any) -> int:
    from pykis.gateway.cli import main as gateway_main

    rest = list(args.rest) + (["--json"] if args.json else [])
    try:
        return gateway_main(rest)
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
                cmd_order(side),
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
        Command(
            "gateway",
            "share app keys with many programs over NATS (pykis gateway --help; pykis gateway status)",
            cmd_gateway,
            passthrough=True,
        ),
    ),
)
"""Every command, once: what the typer app and the argparse parser are rendered from."""

HANDLERS: dict[str, Handler] = {
    " ".join(c.name for c in path[1:]): path[-1].handler for path in PROGRAM.walk() if path[-1].handler is not None
}
"""Handler of each command path (``"auth init"``, ``"quote"``…)."""

"""The ``pykis`` command line, declared once with argparse: every command, its arguments and their converters.

:func:`run` parses ``argv`` and runs the command (:func:`pykis.cli.commands.execute`). Each subcommand parser
stores its handler (``args.handler``), its path (``args.command``, ``"auth init"``) and whether it shows progress
bars (``args.progress``) in the namespace. ``pykis emulator …`` and ``pykis gateway …`` hand their arguments,
unparsed, to their own parsers.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, TypeVar

from pykis.cli.account import cmd_balance, cmd_cancel, cmd_order, cmd_orders
from pykis.cli.commands import (
    Handler,
    cmd_auth,
    cmd_chart,
    cmd_emulator,
    cmd_gateway,
    cmd_orderbook,
    cmd_quote,
    cmd_watch,
    execute,
)
from pykis.cli.session import EXIT_USAGE

if TYPE_CHECKING:
    from pykis.models.chart import ChartPeriod

__all__ = ["build_parser", "parse", "run"]

T = TypeVar("T")

# ------------------------------------------------------------------------------------------------ converters
# Text → value. A ValueError's message completes a sentence that starts with the argument's name
# ("QTY must be positive: '0'", "--price is not a price: 'abc'").


def _positive_int(text: str) -> int:
    value = _int(text)
    if value <= 0:
        raise ValueError(f"must be positive: {text!r}")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"is not a whole number: {text!r}") from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"is not a number of seconds: {text!r}") from None
    if not value >= 0:  # also NaN
        raise ValueError(f"must be zero or more seconds: {text!r}")
    return value


def _price(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"is not a price: {text!r}") from None
    if not value.is_finite() or value <= 0:
        raise ValueError(f"must be a positive price: {text!r}")
    return value


def _period(text: str) -> ChartPeriod | int:
    lowered = text.lower().removesuffix("min").removesuffix("minutes").strip()
    if lowered.isdigit():
        return _positive_int(lowered)
    if lowered in ("day", "week", "month", "year"):
        return lowered  # type: ignore[return-value]
    raise ValueError(f"must be day, week, month, year or minutes (5, 5min): {text!r}")


def _span(text: str) -> str:
    from pykis.errors import KisValidationError  # noqa: PLC0415 - cold start: `pykis --help` loads no client code
    from pykis.scopes.chart import parse_span  # noqa: PLC0415

    try:
        parse_span(text)
    except KisValidationError as error:
        raise ValueError(f"is not a look-back ({error})") from None
    return text


def _windows(text: str) -> tuple[int, ...]:
    if text.strip().lower() in ("", "none", "0"):
        return ()
    try:
        return tuple(_positive_int(part.strip()) for part in text.split(","))
    except ValueError:
        raise ValueError(f"must be bar counts like 5,20: {text!r}") from None


def _typed(name: str, convert: Callable[[str], T]) -> Callable[[str], T]:
    """``convert`` as an argparse ``type``: its complaint becomes the usage error ``NAME message`` (exit 2)."""

    def parse(text: str) -> T:
        try:
            return convert(text)
        except ValueError as error:  # argparse lets an ArgumentError through as it is: our sentence, no prefix
            raise argparse.ArgumentError(None, f"{name} {error}") from None

    return parse


# ------------------------------------------------------------------------------------------------ the declaration

_FORMAT = functools.partial(argparse.HelpFormatter, max_help_position=30)
_VALUED = ("--secret", "--virtual-secret")  # the common options that take a value
_PASSTHROUGH: dict[str, Handler] = {"emulator": cmd_emulator, "gateway": cmd_gateway}


def _common(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """The options of every command and group, before or after the subcommand: defaults at the top only, so that
    one given after the subcommand wins."""
    group = parser.add_argument_group("options of every command")
    unset: Any = argparse.SUPPRESS
    group.add_argument(
        "--secret",
        metavar="FILE",
        default=None if top else unset,
        help="secret file (default: $PYKIS_SECRET, then ./secret.json)",
    )
    group.add_argument(
        "--virtual-secret",
        metavar="FILE",
        default=None if top else unset,
        help="secret file of the virtual (모의투자) service; account commands and orders then go there "
        "(default: $PYKIS_VIRTUAL_SECRET, then ./virtual_secret.json)",
    )
    group.add_argument("--json", action="store_true", default=False if top else unset, help="print JSON, not tables")


class _Commands:
    """The subcommands of one parser (``pykis`` or ``pykis auth``)."""

    def __init__(self, parent: argparse.ArgumentParser, path: str = "") -> None:
        self._path = path
        self._sub = parent.add_subparsers(metavar="command", title="commands")

    def add(
        self, name: str, help: str, handler: Handler | None = None, *, progress: bool = False
    ) -> argparse.ArgumentParser:
        """A command (or, without ``handler``, a group: its help when no subcommand follows)."""
        passthrough = name in _PASSTHROUGH
        parser = self._sub.add_parser(
            name, help=help, description=help, add_help=not passthrough, formatter_class=_FORMAT, allow_abbrev=False
        )
        command = f"{self._path} {name}".strip()
        parser.set_defaults(handler=handler, command=command, progress=progress, help_of=parser)
        if not passthrough:
            _common(parser, top=False)
        return parser


def _order(parser: argparse.ArgumentParser, *, yes: str, real: str) -> None:
    """``-y/--yes`` and ``--real`` of the commands that place or cancel orders."""
    parser.add_argument("-y", "--yes", action="store_true", help=yes)
    parser.add_argument("--real", action="store_true", help=real)


def _auth(commands: _Commands) -> None:
    group = _Commands(commands.add("auth", "manage secret files"), "auth")
    init = group.add("init", "ask for the app key and write a secret file (mode 0600)", cmd_auth)
    init.add_argument("--id", metavar="ID", help="HTS login ID")
    init.add_argument("--appkey", metavar="KEY", help="app key (36 characters)")
    init.add_argument(
        "--secretkey", metavar="-", help="'-': read the app secret from stdin (it is never taken on the command line)"
    )
    init.add_argument("--account", metavar="NUMBER", help="account number NNNNNNNN-NN")
    init.add_argument("--virtual", action="store_true", default=None, help="a 모의투자 (virtual trading) key")
    init.add_argument("-o", "--output", metavar="FILE", help="where to write (default: [virtual_]secret.json)")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    init.add_argument(
        "-y", "--yes", action="store_true", help="ask no y/N question: not virtual unless --virtual; overwrite"
    )


def _chart(commands: _Commands) -> None:
    chart = commands.add(
        "chart", "price bars of a stock; --png draws candlesticks, --csv saves the bars", cmd_chart, progress=True
    )
    chart.add_argument("symbol", metavar="SYMBOL", help="stock code or ticker")
    chart.add_argument(
        "--range",
        dest="span",
        metavar="SPAN",
        type=_typed("--range", _span),
        help="look-back like 3m, 1y, 5d, 3h (default: 3m; 1d for minutes)",
    )
    chart.add_argument(
        "--period",
        metavar="PERIOD",
        type=_typed("--period", _period),
        default="day",
        help="day, week, month, year, or minutes (5)",
    )
    chart.add_argument("--png", metavar="FILE", help="save a candlestick picture with volume")
    chart.add_argument("--csv", metavar="FILE", help="save the bars as CSV")
    chart.add_argument(
        "--ma",
        metavar="N,N",
        type=_typed("--ma", _windows),
        default=(5, 20),
        help="moving averages on the picture (default 5,20)",
    )
    for name, default in (("width", 1200), ("height", 800)):
        chart.add_argument(
            f"--{name}",
            metavar="PX",
            type=_typed(f"--{name}", _positive_int),
            default=default,
            help=f"picture {name} in pixels",
        )
    chart.add_argument(
        "--rows", metavar="N", type=_typed("--rows", _int), default=20, help="how many recent bars to print (0: none)"
    )


def _trading(commands: _Commands) -> None:
    commands.add("balance", "deposits and positions of the account", cmd_balance)
    orders = commands.add("orders", "today's orders (with --pending: the open ones)", cmd_orders)
    orders.add_argument("--pending", action="store_true", help="only orders still open")
    for side in ("buy", "sell"):
        help = f"{side} QTY shares of SYMBOL (asks for confirmation)"
        order = commands.add(side, help, cmd_order(side), progress=True)
        order.add_argument("symbol", metavar="SYMBOL", help="stock code or ticker")
        order.add_argument("qty", metavar="QTY", type=_typed("QTY", _positive_int), help="how many shares")
        order.add_argument(
            "--price", metavar="PRICE", type=_typed("--price", _price), help="limit price (default: a market order)"
        )
        _order(order, yes="do not ask for confirmation", real="allow an order on the real (실전) service")
    cancel = commands.add("cancel", "cancel an open order by its number", cmd_cancel, progress=True)
    cancel.add_argument("order", metavar="ORDER", help="the order number (see pykis orders --pending)")
    _order(
        cancel,
        yes="do not ask for confirmation (asked on the real service)",
        real="allow cancelling on the real (실전) service",
    )


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``pykis`` and its subcommands."""
    parser = argparse.ArgumentParser(
        prog="pykis",
        description="The KIS Open Trading API from the command line; pykis emulator runs a local KIS-compatible "
        "server.",
        formatter_class=_FORMAT,
        allow_abbrev=False,  # no prefixes of options: `--r` is not `--real`
    )
    parser.set_defaults(handler=None, command="", progress=False, help_of=parser)
    commands = _Commands(parser)  # listed in the help before the common options
    _common(parser, top=True)
    _auth(commands)
    quote = commands.add("quote", "current prices of one or more stocks", cmd_quote, progress=True)
    quote.add_argument("symbols", metavar="SYMBOL", nargs="+", help="stock codes or tickers: 005930 NVDA")
    _chart(commands)
    book = commands.add("orderbook", "the order book of a stock: 10 levels each side", cmd_orderbook, progress=True)
    book.add_argument("symbol", metavar="SYMBOL", help="stock code or ticker")
    _trading(commands)
    watch = commands.add("watch", "a live table of realtime prices", cmd_watch, progress=True)
    watch.add_argument("symbols", metavar="SYMBOL", nargs="+", help="stock codes or tickers")
    watch.add_argument(
        "--seconds",
        metavar="S",
        type=_typed("--seconds", _seconds),
        help="stop after this long (default: until Ctrl-C)",
    )
    commands.add("emulator", "run the local KIS emulator (pykis emulator --help)", cmd_emulator)
    gateway = "share app keys with many programs over NATS (pykis gateway --help; pykis gateway status)"
    commands.add("gateway", gateway, cmd_gateway)
    return parser


# ------------------------------------------------------------------------------------------------ running


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """The namespace of ``argv``; raises :class:`SystemExit` as argparse does (help: 0, usage error: 2).

    ``pykis [common options] emulator|gateway …`` parses only the options before the name: the rest goes to the
    command unparsed, as ``args.rest``."""
    parser = build_parser()
    argv = list(argv)
    at = 0
    while at < len(argv) and argv[at].startswith("-"):
        at += 2 if argv[at] in _VALUED else 1
    if at < len(argv) and argv[at] in _PASSTHROUGH:
        args = parser.parse_args(argv[:at])
        args.handler, args.command, args.rest = _PASSTHROUGH[argv[at]], argv[at], argv[at + 1 :]
        return args
    return parser.parse_args(argv)


def run(argv: Sequence[str], *, stdin: Any = None) -> int:
    """Parse ``argv`` and run the command; returns the exit code."""
    try:
        args = parse(argv)
    except SystemExit as exit_:  # argparse has printed the help (0) or the usage error (2)
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    if args.handler is None:  # a group without its command: its help, and the usage exit code
        args.help_of.print_help(sys.stdout)
        return EXIT_USAGE
    return execute(args, stdin=stdin)

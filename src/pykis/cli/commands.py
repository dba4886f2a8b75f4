"""The ``pykis`` subcommands other than ``emulator``: credentials, market data, the account and orders.

Every command takes ``--secret FILE`` / ``--virtual-secret FILE`` (default: ``$PYKIS_SECRET`` /
``$PYKIS_VIRTUAL_SECRET``, then ``./secret.json``) and ``--json``. Exit codes: 0 ok, 1 API or transport error,
2 usage (bad arguments, missing or invalid credentials), 3 refused or aborted (an order on the real service
without ``--real``, an unconfirmed order, an existing secret file).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pykis.cli.output import Output, Table

if TYPE_CHECKING:
    from pykis.client import PyKis
    from pykis.models.chart import ChartPeriod, KisChart
    from pykis.models.orderbook import KisOrderbook
    from pykis.models.quote import KisQuote

__all__ = ["EXIT_API", "EXIT_OK", "EXIT_REFUSED", "EXIT_USAGE", "build_parser", "run"]

EXIT_OK, EXIT_API, EXIT_USAGE, EXIT_REFUSED = 0, 1, 2, 3
DEFAULT_SECRET = "secret.json"  # noqa: S105 - a file name


class Refused(Exception):
    """The command declined to act (exit code 3)."""


class Usage(Exception):
    """The command was used wrongly (exit code 2)."""


# ------------------------------------------------------------------------------------------------ parsing


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


def _price(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a price: {text!r}") from None
    if not value.is_finite() or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive price: {text!r}")
    return value


def _period(text: str) -> ChartPeriod | int:
    lowered = text.lower().removesuffix("min").removesuffix("minutes").strip()
    if lowered.isdigit():
        return _positive_int(lowered)
    if lowered in ("day", "week", "month", "year"):
        return lowered  # type: ignore[return-value]
    raise argparse.ArgumentTypeError(f"period must be day, week, month, year or minutes (5, 5min): {text!r}")


def _windows(text: str) -> tuple[int, ...]:
    if text.strip().lower() in ("", "none", "0"):
        return ()
    try:
        return tuple(_positive_int(part.strip()) for part in text.split(","))
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"moving averages are bar counts like 5,20: {text!r}") from None


def _common(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """``--secret``, ``--virtual-secret``, ``--json``: accepted before or after the subcommand."""
    default: Any = None if top else argparse.SUPPRESS
    parser.add_argument(
        "--secret", metavar="FILE", default=default, help="secret file (default: $PYKIS_SECRET, then ./secret.json)"
    )
    parser.add_argument(
        "--virtual-secret",
        metavar="FILE",
        default=default,
        help="secret file of the virtual (모의투자) service; orders then go there (default: $PYKIS_VIRTUAL_SECRET)",
    )
    parser.add_argument(
        "--json", action="store_true", default=False if top else argparse.SUPPRESS, help="print JSON, not tables"
    )


def build_parser() -> argparse.ArgumentParser:
    """The parser of every subcommand but ``emulator``."""
    parser = argparse.ArgumentParser(
        prog="pykis", description="The KIS Open Trading API from the command line (pykis emulator: a local server)."
    )
    _common(parser, top=True)
    commands = parser.add_subparsers(dest="command", metavar="command", required=True)

    def command(name: str, text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=text, description=text)
        _common(sub, top=False)
        return sub

    auth = command("auth", "manage secret files")
    auth_commands = auth.add_subparsers(dest="auth_command", metavar="command", required=True)
    init = auth_commands.add_parser("init", help="ask for the app key and write a secret file (mode 0600)")
    init.add_argument("--id", help="HTS login ID")
    init.add_argument("--appkey", help="app key (36 characters)")
    init.add_argument("--secretkey", help="app secret (180 characters)")
    init.add_argument("--account", help="account number NNNNNNNN-NN")
    init.add_argument("--virtual", action="store_true", default=None, help="a 모의투자 (virtual trading) key")
    init.add_argument("-o", "--output", metavar="FILE", help="where to write (default: [virtual_]secret.json)")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")

    quote = command("quote", "current prices of one or more stocks")
    quote.add_argument("symbols", nargs="+", metavar="SYMBOL")

    chart = command("chart", "price bars of a stock; --png draws candlesticks, --csv saves the bars")
    chart.add_argument("symbol", metavar="SYMBOL")
    chart.add_argument(
        "--range", dest="span", default=None, help="look-back like 3m, 1y, 5d, 3h (default: 3m; 1d for minutes)"
    )
    chart.add_argument("--period", type=_period, default="day", help="day, week, month, year, or minutes (5)")
    chart.add_argument("--png", metavar="FILE", help="save a candlestick picture with volume")
    chart.add_argument("--csv", metavar="FILE", help="save the bars as CSV")
    chart.add_argument("--ma", type=_windows, default=(5, 20), help="moving averages on the picture (default 5,20)")
    chart.add_argument("--width", type=_positive_int, default=1200, help="picture width in pixels")
    chart.add_argument("--height", type=_positive_int, default=800, help="picture height in pixels")
    chart.add_argument("--rows", type=int, default=20, help="how many recent bars to print (0: none)")

    book = command("orderbook", "the order book of a stock: 10 levels each side")
    book.add_argument("symbol", metavar="SYMBOL")

    command("balance", "deposits and positions of the account")

    orders = command("orders", "today's orders (with --pending: the open ones)")
    orders.add_argument("--pending", action="store_true", help="only orders still open")

    for side in ("buy", "sell"):
        order = command(side, f"{side} QTY shares of SYMBOL (asks for confirmation)")
        order.add_argument("symbol", metavar="SYMBOL")
        order.add_argument("qty", type=_positive_int, metavar="QTY")
        order.add_argument("--price", type=_price, help="limit price (default: a market order)")
        order.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
        order.add_argument("--real", action="store_true", help="allow an order on the real (실전) service")

    cancel = command("cancel", "cancel an open order by its number")
    cancel.add_argument("order", metavar="ORDER", help="the order number (see pykis orders --pending)")
    cancel.add_argument("--real", action="store_true", help="allow cancelling on the real (실전) service")

    watch = command("watch", "a live table of realtime prices")
    watch.add_argument("symbols", nargs="+", metavar="SYMBOL")
    watch.add_argument("--seconds", type=float, default=None, help="stop after this long (default: until Ctrl-C)")
    return parser


# ------------------------------------------------------------------------------------------------ running


def run(argv: Sequence[str], *, stdin: Any = None) -> int:
    """Parse ``argv`` and run the command; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    out = Output(json=args.json)
    from pykis.errors import KisCredentialError, KisError

    try:
        return HANDLERS[args.command](args, out, stdin or sys.stdin)
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

    user = field(args.id, "HTS login ID")
    appkey = field(args.appkey, "App key (36 characters)")
    secretkey = field(args.secretkey, "App secret (180 characters)", secret=True)
    account = field(args.account, "Account number (NNNNNNNN-NN)")
    virtual = args.virtual
    if virtual is None:
        prompted = not (args.id and args.appkey and args.secretkey and args.account)
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
        _check_real(kis, args.real, "cancel an order")
        account = kis.account()
        order = account.pending_orders().order(args.order)
        if order is None:
            out.error(f"no open order numbered {args.order} (see pykis orders --pending)")
            return EXIT_API
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


HANDLERS: dict[str, Callable[[argparse.Namespace, Output, Any], int]] = {
    "auth": cmd_auth,
    "quote": cmd_quote,
    "chart": cmd_chart,
    "orderbook": cmd_orderbook,
    "balance": cmd_balance,
    "orders": cmd_orders,
    "buy": _cmd_order("buy"),
    "sell": _cmd_order("sell"),
    "cancel": cmd_cancel,
    "watch": cmd_watch,
}

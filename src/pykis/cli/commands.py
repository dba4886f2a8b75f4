"""The handlers of the ``pykis`` commands of credentials, market data and realtime prices, and how a parsed
command runs (:func:`execute`); the account commands are in :mod:`pykis.cli.account`, what they all share in
:mod:`pykis.cli.session`, the declaration of the command line in :mod:`pykis.cli.program`; ``pykis emulator`` and
``pykis gateway`` hand their arguments to :func:`pykis.emulator.cli.main` and :func:`pykis.gateway.cli.main`.

Every command takes ``--secret FILE`` / ``--virtual-secret FILE`` (default: ``$PYKIS_SECRET`` /
``$PYKIS_VIRTUAL_SECRET``, then ``./secret.json`` / ``./virtual_secret.json``) and ``--json``. Exit codes: 0 ok
(also when the reader of stdout goes away), 1 API or transport error (the service answered with an error, or did
not answer), 2 usage (bad arguments, an unknown symbol, missing or invalid credentials), 3 refused or aborted,
nothing sent (an order that breaks a trading rule — off the tick grid, outside the day's limits, more than the cash
or shares —, an order on the real service without ``--real``, an unconfirmed order, an existing secret file).

Client code loads inside the handlers: ``pykis --help`` and a usage error load none of it (cold start).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pykis.cli.output import Output, StdoutClosed, Table, to_json
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
from pykis.errors import KisCredentialError, KisError, KisOrderValidationError, KisValidationError

if TYPE_CHECKING:
    from pykis.models.chart import KisChart
    from pykis.models.orderbook import KisOrderbook
    from pykis.models.quote import KisQuote

__all__ = ["EXIT_API", "EXIT_OK", "EXIT_REFUSED", "EXIT_USAGE", "Handler", "execute"]

Handler = Callable[[argparse.Namespace, Output, Any], int]
"""``handler(args, out, stdin) -> exit code``."""


# ------------------------------------------------------------------------------------------------ running


def execute(args: argparse.Namespace, *, stdin: Any = None) -> int:
    """Run ``args.handler`` with its parsed ``args`` and return the exit code: errors become their exit codes and
    a line on stderr, a reader of stdout gone away a quiet 0."""
    out = Output(json=bool(args.json))
    from pykis.cli.bars import progress_bars  # noqa: PLC0415 - cold start (see the module's docstring)

    handler: Handler = args.handler
    try:
        with progress_bars(out) if args.progress else contextlib.nullcontext():
            return handler(args, out, stdin or sys.stdin)
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
        from pykis.auth import KisAuth  # noqa: PLC0415 - cold start

        try:
            KisAuth(**{**_VALID, name: answer})  # type: ignore[arg-type]
        except KisCredentialError as error:
            return str(error)
        return None

    return check


def cmd_auth(args: argparse.Namespace, out: Output, stdin: Any) -> int:
    from pykis.auth import KisAuth  # noqa: PLC0415 - cold start

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
    import msgspec  # noqa: PLC0415 - cold start

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
                with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C ends the stream
                    while wait(0.5):
                        pass
            else:
                out.live(render, wait)  # which shows its last table after Ctrl-C too
        finally:
            for ticket in tickets:
                ticket.unsubscribe()
    return EXIT_OK


def _hand_over(extra: str, dependency: str, command: Callable[[], int]) -> int:
    """Run a command of another parser (whose argparse exits on ``--help`` and on usage errors); its optional
    ``dependency`` missing is a usage error that names the extra."""
    try:
        return command()
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE if exit_.code else EXIT_OK
    except ModuleNotFoundError as missing:
        if (missing.name or "").partition(".")[0] != dependency:
            raise
        raise Usage(f"pykis {extra} needs the {extra} extra: pip install 'pykis-client[{extra}]'") from None


def cmd_emulator(args: argparse.Namespace, out: Output, stdin: Any) -> int:
    def command() -> int:
        from pykis.emulator.cli import main  # noqa: PLC0415 - cold start; aiohttp is the emulator extra

        return main((["--json"] if args.json else []) + list(args.rest))

    return _hand_over("emulator", "aiohttp", command)


def cmd_gateway(args: argparse.Namespace, out: Output, stdin: Any) -> int:
    def command() -> int:
        from pykis.gateway.cli import main  # noqa: PLC0415 - cold start; nats-py is the gateway extra

        return main(list(args.rest) + (["--json"] if args.json else []))

    return _hand_over("gateway", "nats", command)

"""What every ``pykis`` command shares: exit codes, the refusals, the credentials of the session (one account
for every command), the header line naming it, and the questions asked at the terminal."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pykis.cli.output import Output

if TYPE_CHECKING:
    from pykis.client import PyKis

__all__ = [
    "DEFAULT_SECRET",
    "DEFAULT_VIRTUAL_SECRET",
    "EXIT_API",
    "EXIT_OK",
    "EXIT_REFUSED",
    "EXIT_USAGE",
    "Refused",
    "Usage",
    "ask",
    "ask_until",
    "client",
    "confirm",
    "money_text",
    "rate_text",
]

EXIT_OK, EXIT_API, EXIT_USAGE, EXIT_REFUSED = 0, 1, 2, 3
DEFAULT_SECRET = "secret.json"  # noqa: S105 - a file name


class Refused(Exception):
    """The command declined to act (exit code 3)."""


class Usage(Exception):
    """The command was used wrongly (exit code 2)."""


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


def client(args: argparse.Namespace, out: Output) -> PyKis:
    """The client of this command; says on stderr which account and service it acts on (not with ``--json``,
    whose output says it in its data)."""
    from pykis.client import PyKis  # noqa: PLC0415 - cold start: `pykis --help` loads no client code

    secret, virtual = _credentials(args)
    kis = PyKis(secret, virtual)
    if not args.json:
        out.message(_header(kis, virtual if kis.virtual else secret))
    return kis


def _header(kis: PyKis, source: str | None) -> str:
    service = "모의투자 (virtual)" if kis.virtual else "실전 (REAL)"
    return f"account {kis.primary_account} · {service} service · {source}"


def ask(stdin: Any, question: str, out: Output, *, secret: bool = False) -> str:
    """One answer from ``stdin``; a ``secret`` one unechoed when stdin is the terminal."""
    if secret and stdin is sys.stdin and stdin.isatty():
        return getpass.getpass(f"{question} ")
    out.message(question)
    try:
        line = stdin.readline()
    except (OSError, ValueError):
        line = ""
    if not line:
        raise Refused("no answer (use --yes to confirm without asking)")
    return str(line).strip()


_TRIES = 3


def ask_until(
    stdin: Any, question: str, out: Output, check: Callable[[str], str | None], *, secret: bool = False
) -> str:
    """Ask until ``check(answer)`` returns no complaint (it says what is wrong), at most three times."""
    for _ in range(_TRIES):
        answer = ask(stdin, question, out, secret=secret)
        complaint = check(answer)
        if complaint is None:
            return answer
        out.error(f"{complaint}; try again")
    raise Usage(f"{question.rstrip(':? ')}: no valid answer after {_TRIES} tries")


def confirm(stdin: Any, question: str, out: Output) -> bool:
    """A y/N question: y or yes, n, no or nothing (no); anything else is asked again."""
    answer = ask_until(
        stdin,
        f"{question} [y/N]",
        out,
        lambda text: None if text.lower() in ("y", "yes", "n", "no", "") else f"answer y or n, not {text!r}",
    )
    return answer.lower() in ("y", "yes")


def money_text(value: Any, currency: str | None) -> Any:
    """An amount in its currency's places, as table text (``3408.80``, ``7588000``)."""
    from pykis.models._base import money  # noqa: PLC0415

    return format(money(value, currency), "f") if isinstance(value, Decimal) else value


def rate_text(value: Decimal) -> str:
    """A rate in percent with two decimals, as table text (``1.50``)."""
    return f"{value:.2f}"

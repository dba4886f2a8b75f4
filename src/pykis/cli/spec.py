"""The one declaration of the ``pykis`` commands, as data: :class:`Command` trees of :class:`Param`.

:mod:`pykis.cli.commands` declares every command once (``PROGRAM``); :mod:`pykis.cli.typed` renders that
declaration into a typer app and :mod:`pykis.cli.plain` into an argparse parser. Both hand the handler the same
:class:`argparse.Namespace` — one attribute per :attr:`Param.dest` (the :data:`COMMON` options included) and
``command``, the command's path (``"auth init"``) — through :func:`pykis.cli.commands.execute`.

A :attr:`Param.convert` turns the text of an argument into its value and raises :class:`ValueError` with a
readable message when it cannot; each renderer turns that into its own usage error (exit code 2). Defaults are
values, not text: no renderer converts them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import argparse

    from pykis.cli.output import Output

__all__ = ["COMMON", "Command", "Handler", "Param", "argument", "flag", "given", "option", "split_common"]

Handler = Callable[["argparse.Namespace", "Output", Any], int]
"""``handler(args, out, stdin) -> exit code``."""

Converter = Callable[[str], Any]
"""Text → value; raises :class:`ValueError` with a message for the person at the terminal."""


@dataclass(frozen=True, slots=True)
class Param:
    """One argument or option of a command."""

    dest: str
    """The attribute of the namespace (and the keyword of typer's callback)."""
    kind: Literal["argument", "option", "flag"]
    flags: tuple[str, ...] = ()
    """Option names (``("-o", "--output")``); none for an argument."""
    help: str = ""
    metavar: str | None = None
    convert: Converter | None = None
    default: Any = None
    """The value when the option is not given (flags: ``False``, or ``None`` for "not given, ask")."""
    many: bool = False
    """An argument taking one or more values (a list)."""
    type: type = str
    """What :attr:`convert` returns, for typer's help (``<int>``)."""

    @property
    def takes_value(self) -> bool:
        return self.kind == "option"


def argument(
    dest: str, metavar: str, help: str = "", *, convert: Converter | None = None, many: bool = False, type: type = str
) -> Param:
    """A positional argument (required; with ``many``, one or more)."""
    return Param(dest, "argument", (), help, metavar, convert, None, many, type)


def option(
    *flags: str,
    help: str,
    dest: str | None = None,
    metavar: str | None = None,
    convert: Converter | None = None,
    default: Any = None,
    type: type = str,
) -> Param:
    """An option taking a value: ``--price 550000``."""
    return Param(dest or _dest(flags), "option", flags, help, metavar, convert, default, False, type)


def flag(*flags: str, help: str, dest: str | None = None, default: bool | None = False) -> Param:
    """An on/off option: ``--yes``; ``default=None`` tells "not given" from "off"."""
    return Param(dest or _dest(flags), "flag", flags, help, None, None, default, False, bool)


def _dest(flags: tuple[str, ...]) -> str:
    longest = max(flags, key=len)
    return longest.lstrip("-").replace("-", "_")


@dataclass(frozen=True, slots=True)
class Command:
    """A command (with a :attr:`handler`) or a group of :attr:`commands` (``pykis``, ``pykis auth``)."""

    name: str
    help: str
    handler: Handler | None = None
    params: tuple[Param, ...] = ()
    commands: tuple[Command, ...] = ()
    progress: bool = False
    """Show progress bars of long downloads (chart pages, master files) while it runs."""
    passthrough: bool = False
    """Parse nothing: the arguments after the name go to the handler as ``args.rest`` (``pykis emulator``)."""

    def walk(self, path: tuple[Command, ...] = ()) -> Iterator[tuple[Command, ...]]:
        """Every command and group below (and including) this one, as paths from the root."""
        here = (*path, self)
        yield here
        for command in self.commands:
            yield from command.walk(here)

    def find(self, name: str) -> Command | None:
        return next((command for command in self.commands if command.name == name), None)


COMMON: tuple[Param, ...] = (
    option("--secret", metavar="FILE", help="secret file (default: $PYKIS_SECRET, then ./secret.json)"),
    option(
        "--virtual-secret",
        metavar="FILE",
        help="secret file of the virtual (모의투자) service; account commands and orders then go there "
        "(default: $PYKIS_VIRTUAL_SECRET, then ./virtual_secret.json)",
    ),
    flag("--json", help="print JSON, not tables"),
)
"""Options of every command and group, accepted before or after the subcommand; the last one given wins."""


def given(value: Any) -> bool:
    """Whether ``value`` of a :data:`COMMON` option was given (it is not its default, ``None`` or ``False``)."""
    return value is not None and value is not False


def split_common(argv: list[str]) -> tuple[dict[str, Any], list[str]] | None:
    """Leading :data:`COMMON` options and the rest (from the command name on); ``None`` when an argument before
    the command name is not one of them, or an option lacks its value."""
    by_flag = {name: param for param in COMMON for name in param.flags}
    values: dict[str, Any] = {param.dest: param.default for param in COMMON}
    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        name, equals, text = argv[i].partition("=")
        param = by_flag.get(name)
        if param is None:
            return None
        if not param.takes_value:
            if equals:
                return None
            values[param.dest] = True
        elif equals:
            values[param.dest] = text
        elif i + 1 < len(argv):
            i += 1
            values[param.dest] = argv[i]
        else:
            return None
        i += 1
    return values, argv[i:]

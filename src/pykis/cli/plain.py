"""The argparse rendering of :data:`pykis.cli.commands.PROGRAM`: the ``pykis`` parser when typer is not installed
(``pip install pykis-client`` without the ``cli`` extra) or with ``PYKIS_CLI=plain``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from pykis.cli.spec import COMMON, Command, Converter, Param

__all__ = ["build_parser", "run"]

_PATH = "_pykis_path"  # the namespace attribute naming the chosen command
_PARSER = "_pykis_parser"  # and the parser of it


def _type(param: Param) -> Callable[[str], Any]:
    """``param.convert`` in argparse's terms: an :class:`argparse.ArgumentTypeError` carries the message."""
    convert: Converter | None = param.convert
    if convert is None:
        return str

    def parse(text: str) -> Any:
        if text is param.default:  # argparse converts string defaults; ours are values already
            return text
        try:
            return convert(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    parse.__name__ = param.dest  # argparse names the type in some messages
    return parse


def _add(parser: argparse.ArgumentParser, param: Param, *, default: Any) -> None:
    if param.kind == "argument":
        parser.add_argument(
            param.dest, nargs="+" if param.many else None, metavar=param.metavar, type=_type(param), help=param.help
        )
    elif param.kind == "flag":
        parser.add_argument(*param.flags, dest=param.dest, action="store_true", default=default, help=param.help)
    else:
        parser.add_argument(
            *param.flags, dest=param.dest, metavar=param.metavar, type=_type(param), default=default, help=param.help
        )


def _common(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """The :data:`COMMON` options: defaults at the top only, so that one given after the subcommand wins."""
    for param in COMMON:
        _add(parser, param, default=param.default if top else argparse.SUPPRESS)


def _fill(parser: argparse.ArgumentParser, path: tuple[Command, ...]) -> None:
    command = path[-1]
    parser.set_defaults(**{_PATH: path, _PARSER: parser})
    if command.passthrough:  # listed in the help; run() hands it its arguments before parsing
        return
    _common(parser, top=len(path) == 1)
    for param in command.params:
        _add(parser, param, default=param.default)
    if command.commands:
        depth = len(path)
        sub = parser.add_subparsers(dest=f"_pykis_command_{depth}", metavar="command")
        for child in command.commands:
            child_parser = sub.add_parser(
                child.name, help=child.help, description=child.help, add_help=not child.passthrough
            )
            _fill(child_parser, (*path, child))


def build_parser(program: Command) -> argparse.ArgumentParser:
    """The parser of ``program`` (``pykis``) and its subcommands."""
    parser = argparse.ArgumentParser(prog=program.name, description=program.help)
    _fill(parser, (program,))
    return parser


def run(program: Command, argv: Sequence[str], *, stdin: Any = None) -> int:
    """Parse ``argv`` and run the command; returns the exit code (2 for a usage error, as argparse)."""
    from pykis.cli.commands import execute, passthrough

    code = passthrough(program, argv, stdin=stdin)
    if code is not None:
        return code
    try:
        namespace = build_parser(program).parse_args(list(argv))
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 2
    path: tuple[Command, ...] = getattr(namespace, _PATH)
    command = path[-1]
    if command.handler is None:  # a group without its command: its help, as typer's no_args_is_help
        getattr(namespace, _PARSER).print_help(sys.stdout)
        return 2
    values = {param.dest: getattr(namespace, param.dest, param.default) for param in (*COMMON, *command.params)}
    return execute(path, values, stdin=stdin)

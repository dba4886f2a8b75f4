"""The typer rendering of :data:`pykis.cli.commands.PROGRAM`: the ``pykis`` app when typer is installed (the
``cli`` extra).

Each command becomes a callback whose ``__signature__`` lists ``Annotated[T, typer.Argument(...)]`` /
``typer.Option(...)`` parameters built from its :class:`~pykis.cli.spec.Param` s (typer reads
``inspect.signature``); the callback hands the values to :func:`pykis.cli.commands.execute` and raises
``typer.Exit`` with its exit code. Groups (``pykis``, ``pykis auth``) take the :data:`~pykis.cli.spec.COMMON`
options too and pass them down in ``ctx.obj``, so that they work before or after the subcommand.
"""

from __future__ import annotations

import argparse
import inspect
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Any

from pykis.cli.output import has_rich
from pykis.cli.spec import COMMON, Command, Param, given

if TYPE_CHECKING:
    import typer

__all__ = ["build_app", "run"]

_CONTEXT = {"help_option_names": ["-h", "--help"]}
_PASSTHROUGH = {"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}
_COMMON_PANEL = "Options of every command"


class _Render:
    """What the callbacks share: the text filter of help (rich markup escaped) and the stdin of the commands."""

    def __init__(self, *, rich: bool, stdin: Any) -> None:
        self.rich = rich
        self.stdin = stdin

    def text(self, help: str) -> str:
        """Help as literal text: rich markup mode would eat ``[y/N]`` and ``[virtual_]``."""
        if not self.rich:
            return help
        from rich.markup import escape

        return escape(help)

    def parser(self, param: Param) -> Callable[[str], Any] | None:
        """``param.convert`` in typer's terms: a ``typer.BadParameter`` carries the message (a ValueError would
        reach the terminal as pydantic's "Value error, …" in typer 0.29)."""
        import typer

        convert = param.convert
        if convert is None:
            return None

        def parse(value: Any) -> Any:
            if not isinstance(value, str):  # a default: a value already
                return value
            try:
                return convert(value)
            except ValueError as error:
                raise typer.BadParameter(str(error)) from None

        return parse

    def parameter(self, param: Param, *, common: bool) -> inspect.Parameter:
        import typer

        keyword = inspect.Parameter.KEYWORD_ONLY
        if param.kind == "argument":
            info = typer.Argument(
                metavar=param.metavar, help=self.text(param.help), parser=self.parser(param), show_default=False
            )
            annotation: Any = list[param.type] if param.many else param.type  # type: ignore[name-defined]
            return inspect.Parameter(param.dest, keyword, annotation=Annotated[annotation, info])
        info = typer.Option(
            *param.flags,
            metavar=param.metavar,
            help=self.text(param.help),
            parser=self.parser(param),
            show_default=False,
            rich_help_panel=_COMMON_PANEL if common else None,
        )
        # The COMMON options default to None/False, "not given", wherever they are (see _given).
        default = None if common and param.kind == "option" else param.default
        annotation = param.type if default is not None else param.type | None
        return inspect.Parameter(param.dest, keyword, default=default, annotation=Annotated[annotation, info])

    def sign(self, callback: Callable[..., None], params: Sequence[inspect.Parameter]) -> Callable[..., None]:
        """``callback(ctx, **values)`` as typer should see it: ``ctx`` and ``params``. Its own annotations go
        (typer also calls ``get_type_hints``, which cannot resolve them here)."""
        import typer

        context = inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context)
        callback.__signature__ = inspect.Signature([context, *params])  # type: ignore[attr-defined]
        callback.__annotations__ = {}
        return callback

    def common(self) -> list[inspect.Parameter]:
        return [self.parameter(param, common=True) for param in COMMON]


def _given(ctx: typer.Context, values: dict[str, Any]) -> dict[str, Any]:
    """The :data:`COMMON` options: given here, else given to a group above, else their defaults."""
    above: dict[str, Any] = ctx.obj if isinstance(ctx.obj, dict) else {}
    return {
        param.dest: values[param.dest] if given(values.get(param.dest)) else above.get(param.dest, param.default)
        for param in COMMON
    }


def _group_callback(render: _Render) -> Callable[..., None]:
    def callback(ctx: typer.Context, **values: Any) -> None:
        ctx.obj = {**(ctx.obj if isinstance(ctx.obj, dict) else {}), **_given(ctx, values)}

    return render.sign(callback, render.common())


def _command_callback(render: _Render, path: tuple[Command, ...]) -> Callable[..., None]:
    import typer

    from pykis.cli.commands import execute

    command = path[-1]

    def callback(ctx: typer.Context, **values: Any) -> None:
        values.update(_given(ctx, values))
        if command.passthrough:
            values["rest"] = list(ctx.args)
        raise typer.Exit(execute(path, values, stdin=render.stdin))

    params = (
        [] if command.passthrough else [*render.common(), *(render.parameter(p, common=False) for p in command.params)]
    )
    return render.sign(callback, params)


def _app(render: _Render, path: tuple[Command, ...]) -> typer.Typer:
    import typer

    group = path[-1]
    app = typer.Typer(
        name=group.name,
        help=render.text(group.help),
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode="rich" if render.rich else None,
        context_settings=_CONTEXT,
        pretty_exceptions_enable=False,
    )
    app.callback()(_group_callback(render))
    for child in group.commands:
        here = (*path, child)
        if child.commands:
            app.add_typer(_app(render, here), name=child.name, help=render.text(child.help))
        elif child.passthrough:
            app.command(child.name, help=render.text(child.help), context_settings=_PASSTHROUGH, add_help_option=False)(
                _command_callback(render, here)
            )
        else:
            app.command(child.name, help=render.text(child.help))(_command_callback(render, here))
    return app


def build_app(program: Command, *, stdin: Any = None) -> typer.Typer:
    """The typer app of ``program`` (``pykis``); plain click help and errors with ``PYKIS_PLAIN=1``."""
    return _app(_Render(rich=has_rich(), stdin=stdin), (program,))


def _declaration_order(group: Any, command: Command) -> None:
    """List the commands of the help in the order of the declaration (typer puts sub-apps last)."""
    commands = getattr(group, "commands", None)
    if not isinstance(commands, dict):
        return
    order = [child.name for child in command.commands if child.name in commands]
    group.commands = {name: commands[name] for name in order} | commands
    for child in command.commands:
        if child.name in commands:
            _declaration_order(commands[child.name], child)


def _plain_metavars(group: Any) -> None:
    """Help that shows our metavars only: no ``<bool>`` after a flag, no ``<list[str]>`` beside an argument
    (typer's type column), ``SYMBOL`` rather than ``{SYMBOL}`` in the usage line — the look of the argparse
    rendering and of ``pykis emulator --help``. Typer reads these per parameter, so they are set per parameter."""
    for command in getattr(group, "commands", {}).values():
        _plain_metavars(command)
    for param in getattr(group, "params", ()):
        _plain_metavar(param)
    help_option = group.get_help_option

    def plain_help_option(ctx: Any) -> Any:
        option = help_option(ctx)
        if option is not None:
            _plain_metavar(option)
        return option

    group.get_help_option = plain_help_option


def _plain_metavar(param: Any) -> None:
    if getattr(param, "is_flag", False) or param.param_type_name == "argument":
        param.display_type_rich = lambda ctx: None
    if param.param_type_name == "argument" and hasattr(param, "_usage_display_name"):
        name = param.metavar or param.name
        param._usage_display_name = lambda: name + ("..." if param.nargs != 1 else "")


def argparse_help(parser: argparse.ArgumentParser, stream: Any) -> None:
    """``parser``'s help in the look of the typer app's (usage line, then a rich panel per argument group), so
    that ``pykis emulator --help``, whose arguments its own argparse parser reads, looks like every other."""
    from rich.console import Console
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table as RichTable

    console = Console(file=stream, highlight=False)
    console.print(f"\n [bold]Usage:[/bold] {escape(parser.prog)} [OPTIONS]\n")
    if parser.description:
        console.print(f" {escape(parser.description)}\n")
    for group in parser._action_groups:  # argparse keeps its groups here only
        actions = [action for action in group._group_actions if action.option_strings]
        if not actions:
            continue
        grid = RichTable.grid(padding=(0, 2))
        for action in actions:
            metavar = "" if action.nargs == 0 else str(action.metavar or action.dest.upper())
            default = action.default if action.default not in (None, False, argparse.SUPPRESS) else None
            text = (action.help or "").replace("%(default)s", str(default))
            grid.add_row(
                f"[bold cyan]{escape(', '.join(action.option_strings))}[/bold cyan]",
                f"[bold yellow]{escape(metavar)}[/bold yellow]",
                escape(text),
            )
        title = "Options" if group.title in ("options", "optional arguments") else str(group.title).capitalize()
        console.print(Panel(grid, title=title, title_align="left", border_style="dim"))


def run(program: Command, argv: Sequence[str], *, stdin: Any = None) -> int:
    """Parse ``argv`` and run the command; returns the exit code (2 with click's message for a usage error)."""
    import typer

    from pykis.cli.commands import passthrough

    done = passthrough(program, argv, stdin=stdin)
    if done is not None:
        return done
    command = typer.main.get_command(build_app(program, stdin=stdin))
    _declaration_order(command, program)
    _plain_metavars(command)
    try:
        command.main(args=list(argv), prog_name=program.name, standalone_mode=True)
    except SystemExit as exit_:  # standalone mode: typer prints usage errors, then exits with their code
        code = exit_.code
        if code is None or isinstance(code, int):
            return code or 0
        print(code, file=sys.stderr)
        return 1
    return 0

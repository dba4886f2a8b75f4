"""Time is the service's: outside the places that own a clock, no library code asks this machine for the date.

The client's clock (pykis.protocol.clock) and the token manager take the machine's time as an injected default
(``wall=time.time``: a reference, not a call); the emulator is the service and keeps its own clock. Anything else
that calls ``datetime.now()``, ``date.today()`` or ``time.time()`` would follow this machine's date instead of
the service's (as the generated token API once did)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "pykis"
THE_SERVICE = PACKAGE / "emulator"  # the sandbox is the service: its clock is where service time comes from
WALL_CLOCK_CALLS = {
    ("datetime", "now"),
    ("datetime", "today"),
    ("datetime", "utcnow"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
}


def _module_name(node: ast.expr) -> str:
    """``time``, ``datetime`` or ``date`` spelled as a module or its class (``datetime.datetime``), else ``""``:
    an attribute of something else (``book.time.time()``, a datetime's time of day) reads no clock."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "datetime":
        return node.attr
    return ""


def wall_clock_calls(source: str) -> list[tuple[int, str]]:
    """Line and spelling of each call of a wall-clock reader (``datetime.now()``, ``time.time()``…)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = _module_name(node.func.value)
            if (name, node.func.attr) in WALL_CLOCK_CALLS:
                found.append((node.lineno, f"{name}.{node.func.attr}()"))
    return sorted(found)


def test_the_finder_sees_each_spelling() -> None:
    source = (
        "import time, datetime\ndatetime.datetime.now()\ntime.time()\nclock = time.time\n"
        "datetime.date.today()\nbook.time.time()\nevent.date.today()\n"
    )
    assert wall_clock_calls(source) == [(2, "datetime.now()"), (3, "time.time()"), (5, "date.today()")]


def test_no_library_code_reads_the_machine_date() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)}:{line}: {call}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if THE_SERVICE not in path.parents
        for line, call in wall_clock_calls(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []

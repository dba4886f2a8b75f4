"""Writes the asyncio twins of the blocking scope classes from their source, unasync-style.

    python scripts/generate_twins.py            # rewrite the generated regions in place
    python scripts/generate_twins.py --check    # exit 1 when a region is not current (the tests run this)

The blocking class is the one written by hand (``KisAccount``, ``KisStock``, ``KisOrder``…). Its twin
(``AsyncKisAccount``…) is generated into a marked region of the same module, so both stay importable from where
they always were. The rewrite is textual and small, like unasync's:

* a method that drives a flow (``self._core.run(``) becomes ``async def`` and awaits it; a method calling such a
  method of its own class becomes ``async`` too and awaits the call; a ``@property`` that does either stays a
  property whose value is awaited (``order.pending`` → ``await order.pending``): one name, one form, in both APIs;
* the blocking names become their twins' (``PyKis`` → ``AsyncPyKis``, ``KisOrder`` → ``AsyncKisOrder``…);
* methods that make no request (``on``) are copied as they are.

What only the asyncio side has (``stream``) lives in hand-written bases the twin derives from.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCOPES = ROOT / "src" / "pykis" / "scopes"

RENAMES = {
    "PyKis": "AsyncPyKis",
    "KisOrder": "AsyncKisOrder",
    "KisPendingOrder": "AsyncKisPendingOrder",
    "KisStock": "AsyncKisStock",
    "KisAccount": "AsyncKisAccount",
    "StockTrading": "AsyncStockTrading",
}
_RENAME = re.compile(r"(?<![\w.])(?<!Async)(" + "|".join(sorted(RENAMES, key=len, reverse=True)) + r")\b")


@dataclass(frozen=True)
class Twin:
    module: str
    source: str
    target: str
    bases: str
    doc: str


TWINS = (
    Twin(
        "orders/handles.py",
        "KisOrder",
        "AsyncKisOrder",
        "OrderBase",
        "An order of :class:`~pykis.AsyncPyKis`: the same operations as coroutines\n"
        "    (``await order.pending``, ``await order.pending_order``, ``await order.cancel()``).",
    ),
    Twin(
        "orders/handles.py",
        "KisPendingOrder",
        "AsyncKisPendingOrder",
        "_PendingMixin, AsyncKisOrder",
        "An open order of the asyncio client (see :class:`KisPendingOrder`).",
    ),
    Twin(
        "stock.py",
        "StockTrading",
        "AsyncStockTrading",
        "",
        "``buy``/``sell``/``order`` on an asyncio stock scope (see :class:`StockTrading`).",
    ),
    Twin(
        "stock.py",
        "KisStock",
        "AsyncKisStock",
        "AsyncStockBase, AsyncStockTrading",
        "A stock, driven by :class:`~pykis.AsyncPyKis`: the same operations as coroutines.",
    ),
    Twin(
        "account.py",
        "KisAccount",
        "AsyncKisAccount",
        "AsyncAccountBase",
        "An account, driven by :class:`~pykis.AsyncPyKis`: the same operations as coroutines.",
    ),
)


def _begin(twin: Twin) -> str:
    return f"# <generated: {twin.target} from {twin.source} by scripts/generate_twins.py; do not edit>\n"


_END = "# </generated>\n"


def _class_source(text: str, name: str) -> str:
    """The source of top-level class ``name``: from its line to the next top-level statement."""
    match = re.search(rf"^class {name}\b.*?:\n", text, re.M)
    if match is None:
        raise SystemExit(f"class {name} not found")
    rest = text[match.end() :]
    end = re.search(r"^(?=\S)", rest, re.M)
    body = rest[: end.start()] if end else rest
    return (match.group(0) + body).rstrip() + "\n"


_METHOD = re.compile(r"^    (?P<property>@property\n    )?def (?P<name>\w+)\(", re.M)


def _methods(source: str) -> dict[str, tuple[int, int, bool]]:
    """Method name → (start, end, is a property) spans in the class source."""
    found = list(_METHOD.finditer(source))
    spans: dict[str, tuple[int, int, bool]] = {}
    for index, match in enumerate(found):
        end = found[index + 1].start() if index + 1 < len(found) else len(source)
        spans[match.group("name")] = (match.start(), end, bool(match.group("property")))
    return spans


def twin_source(source: str, twin: Twin) -> str:
    """The asyncio twin of the class ``source``."""
    spans = _methods(source)
    driving = {name for name, (start, end, _) in spans.items() if "self._core.run(" in source[start:end]}
    changed = True
    while changed:  # a method calling a driving method of its class drives too
        changed = False
        for name, (start, end, _) in spans.items():
            body = source[start:end]
            if name not in driving and any(re.search(rf"self\.{other}\b", body) for other in driving):
                driving.add(name)
                changed = True
    properties = {name for name in driving if spans[name][2]}
    out = source
    for name in driving:
        out = re.sub(rf"^(    (?:@property\n    )?)def {name}\(", rf"\1async def {name}(", out, flags=re.M)
    out = out.replace("self._core.run(", "await self._core.run(")
    for name in driving - properties:
        out = re.sub(rf"(?<!await )self\.{name}\(", f"await self.{name}(", out)
    for name in properties:
        out = re.sub(rf"self\.{name}\b(?!\()", f"(await self.{name})", out)
    out = _RENAME.sub(lambda m: RENAMES[m.group(1)], out)
    body = out.split("\n", 1)[1]
    body = re.sub(r'^    """.*?"""\n', f'    """{twin.doc}"""\n', body, count=1, flags=re.S)
    bases = f"({twin.bases})" if twin.bases else ""
    return f"class {twin.target}{bases}:\n{body}"


def render(text: str, twin: Twin) -> str:
    """``text`` (a module) with the twin's region rewritten from the current source class."""
    generated = _begin(twin) + twin_source(_class_source(text, twin.source), twin) + _END
    start = text.find(_begin(twin))
    if start < 0:
        raise SystemExit(f"{twin.module}: no region for {twin.target} (add the two marker lines)")
    end = text.index(_END, start) + len(_END)
    return text[:start] + generated + text[end:]


def _format(path: Path, text: str) -> str:
    ruff = Path(sys.executable).parent / "ruff"
    command = [str(ruff) if ruff.exists() else "ruff", "format", "--stdin-filename", str(path), "-"]
    return subprocess.run(command, input=text, capture_output=True, text=True, check=True).stdout


def generate() -> dict[Path, str]:
    """Every module with its twins rewritten (formatted)."""
    modules: dict[Path, str] = {}
    for twin in TWINS:
        path = SCOPES / twin.module
        text = modules.get(path, path.read_text(encoding="utf-8"))
        modules[path] = render(text, twin)
    return {path: _format(path, text) for path, text in modules.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a generated region is not current")
    args = parser.parse_args(argv)
    stale = [path for path, text in generate().items() if path.read_text(encoding="utf-8") != text]
    if args.check:
        for path in stale:
            print(f"stale generated twins in {path.relative_to(ROOT)}: run python scripts/generate_twins.py")
        return 1 if stale else 0
    for path, text in generate().items():
        if path in stale:
            path.write_text(text, encoding="utf-8")
    print(f"{len(stale)} module(s) rewritten")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

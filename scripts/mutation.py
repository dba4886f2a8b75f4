"""``make mutation``: mutation testing (mutmut) of the safety-critical modules, each against its own fast tests.

Every module runs in its own scratch copy of ``src/`` and ``tests/`` (mutmut works in ``./mutants`` and reads its
settings from ``./pyproject.toml``), one module at a time, so the tests that judge a module are only the ones
mapped to it here. The run prints ``killed/total`` per module and ends with ``mutation: K killed of N (P %)``.
Surviving mutants are listed per module in ``<scratch>/<module>/survivors.txt``; those that cannot be killed
because they do not change behaviour are explained in docs/mutation.md.

Killed counts mutants the tests failed on, timed out on (an endless loop is caught) or the type checker refused;
a mutant no mapped test reaches counts as surviving. ``--jobs`` sets mutmut's children (default 2: the machine
has two cores); run it under ``nice`` when the machine is shared (the Makefile does).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KILLED = {"killed", "timeout", "caught by type check", "segfault"}
NOT_RUN = {"not checked", "skipped"}


@dataclass(frozen=True)
class Module:
    """One safety-critical area: the files mutated, the functions among them (mutant name globs; all if
    empty) and the tests that must notice."""

    files: tuple[str, ...]
    tests: tuple[str, ...]
    only: tuple[str, ...] = ()


_VALIDATION = tuple(
    f"pykis.scopes.orders.rules.x_{name}__mutmut_*"
    for name in (
        "to_qty",
        "to_price",
        "check_tick",
        "check_limits",
        "domestic_order_type",
        "foreign_order_type",
        "check_virtual",
        "marketable",
        "wire_price",
    )
)

MODULES: dict[str, Module] = {
    "request": Module(
        ("src/pykis/protocol/request.py", "src/pykis/protocol/envelope.py", "src/pykis/protocol/paging.py"),
        (
            "tests/protocol/test_request.py",
            "tests/protocol/test_envelope.py",
            "tests/protocol/test_envelope_exact.py",
            "tests/protocol/test_paging.py",
            "tests/faults/test_fuzz.py",
        ),
    ),
    "tokens": Module(
        ("src/pykis/protocol/token.py", "src/pykis/drivers/tokens.py"),
        (
            "tests/protocol/test_token.py",
            "tests/protocol/test_token_wire.py",
            "tests/client/test_tokens.py",
            "tests/client/test_loop_liveness.py",  # the asyncio paths
        ),
    ),
    "ratelimit": Module(
        ("src/pykis/protocol/ratelimit.py", "src/pykis/drivers/limiter.py"),
        ("tests/protocol/test_ratelimit.py", "tests/client/test_limiter.py", "tests/client/test_loop_liveness.py"),
    ),
    "journal": Module(("src/pykis/drivers/journal.py",), ("tests/client/test_journal.py",)),
    # The HTTP/1.1 reader both transports trust with every answer's framing.
    "http1": Module(
        ("src/pykis/protocol/http1.py",), ("tests/protocol/test_http1.py", "tests/protocol/test_http1_vs_h11.py")
    ),
    "ticks": Module(
        ("src/pykis/exchanges/markets.py",), ("tests/client/test_markets.py", "tests/integration/test_tick_tables.py")
    ),
    "validation": Module(
        ("src/pykis/scopes/orders/rules.py",),
        ("tests/client/test_order_validation.py", "tests/faults/test_bad_input.py"),
        _VALIDATION,
    ),
    # Sending once, settling a lost answer, revisions: every function of the two modules, judged by the flows'
    # unit tests (scripted action results, no sockets): the emulator-driven ones take minutes per surviving mutant.
    "orders": Module(
        ("src/pykis/scopes/orders/send.py", "src/pykis/scopes/orders/revise.py"),
        (
            "tests/orders/test_order_flow_unit.py",
            "tests/orders/test_revise_flow_unit.py",
            "tests/orders/test_order_flow_journal.py",
        ),
    ),
    "realtime": Module(
        (
            "src/pykis/protocol/websocket/registrations.py",
            "src/pykis/protocol/websocket/frames.py",
            "src/pykis/protocol/websocket/cipher.py",
            "src/pykis/protocol/websocket/subscriptions.py",
            "src/pykis/protocol/websocket/liveness.py",
            "src/pykis/protocol/websocket/session.py",
        ),
        (
            "tests/protocol/test_realtime_exact.py",
            "tests/realtime/test_protocol.py",
            "tests/realtime/test_core.py",
            "tests/realtime/test_session.py",
            "tests/faults/test_fuzz.py",
        ),
    ),
}


def _settings(module: Module) -> str:
    """The ``[tool.mutmut]`` table of one module's scratch copy."""
    return "\n".join(
        (
            "",
            "[tool.mutmut]",
            'source_paths = ["src/"]',
            f"only_mutate = {json.dumps(list(module.files))}",
            f"pytest_add_cli_args_test_selection = {json.dumps(list(module.tests))}",
            'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x", "--timeout=60"]',
            "",
        )
    )


def _scratch(name: str, module: Module, base: Path) -> Path:
    work = base / name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "src", work / "src", ignore=ignore)
    shutil.copytree(ROOT / "tests", work / "tests", ignore=ignore)
    text = (ROOT / "pyproject.toml").read_text("utf-8")
    (work / "pyproject.toml").write_text(text + _settings(module), "utf-8")
    return work


def _statuses(work: Path, module: Module) -> dict[str, str]:
    """Each mutant's status, read from mutmut's per-file records."""
    # mutmut (the dev group) is imported by its own runs; this process only reads their records.
    from mutmut.stats import status_by_exit_code  # noqa: PLC0415

    found: dict[str, str] = {}
    for file in module.files:
        meta = work / "mutants" / (file + ".meta")
        if not meta.exists():
            continue
        codes = json.loads(meta.read_text("utf-8")).get("exit_code_by_key", {})
        for key, code in codes.items():
            if not module.only or any(fnmatch(key, pattern) for pattern in module.only):
                found[key] = status_by_exit_code[code]
    return found


def run(name: str, module: Module, base: Path, jobs: int) -> tuple[int, int]:
    """Run one module; print and return ``(killed, total)``."""
    work = _scratch(name, module, base)
    env = {**os.environ, "HYPOTHESIS_PROFILE": "mutation", "PYTHONDONTWRITEBYTECODE": "1"}
    mutmut = str(Path(sys.executable).with_name("mutmut"))
    log = work / "mutmut.log"
    with log.open("w") as out:
        subprocess.run(
            [mutmut, "run", "--max-children", str(jobs), *module.only],
            cwd=work,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    statuses = _statuses(work, module)
    counted = {key: status for key, status in statuses.items() if status not in NOT_RUN}
    killed = sum(status in KILLED for status in counted.values())
    survivors = sorted(f"{key}  ({status})" for key, status in counted.items() if status not in KILLED)
    (work / "survivors.txt").write_text("".join(line + "\n" for line in survivors), "utf-8")
    share = 100 * killed / len(counted) if counted else 0.0
    print(f"{name}: {killed}/{len(counted)} killed ({share:.1f} %), survivors in {work / 'survivors.txt'}")
    if not counted:
        print(f"{name}: no mutant ran; see {log}")
    return killed, len(counted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", choices=[[], *MODULES], help="modules to run (default: all)")
    parser.add_argument("--jobs", type=int, default=2, help="mutmut children (default 2)")
    parser.add_argument("--scratch", type=Path, default=Path(tempfile.gettempdir()) / "pykis-mutation")
    args = parser.parse_args()
    names = args.modules or list(MODULES)
    killed = total = 0
    for name in names:
        k, n = run(name, MODULES[name], args.scratch, args.jobs)
        killed, total = killed + k, total + n
    share = 100 * killed / total if total else 0.0
    print(f"mutation: {killed} killed of {total} ({share:.1f} %)")


if __name__ == "__main__":
    main()

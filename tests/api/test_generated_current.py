"""The CI freshness check: the checked-in generated layer is what the generator writes from the catalog."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from pykis.catalog import _codegen


def test_generated_modules_are_current() -> None:
    # ruff formats the generated code, so without it the check cannot run: that is a broken dev environment,
    # not a reason to pass quietly.
    assert shutil.which("ruff") or Path(sys.executable).with_name("ruff").exists(), (
        "ruff (a dev dependency) is missing; install the dev group (make venv)"
    )
    generated = _codegen.generate()
    on_disk = _codegen.on_disk()
    stale = sorted(name for name in generated.keys() | on_disk.keys() if generated.get(name) != on_disk.get(name))
    assert not stale, f"regenerate with `python -m pykis.catalog._codegen`; stale: {stale}"


def test_generated_realtime_events_are_current() -> None:
    assert shutil.which("ruff") or Path(sys.executable).with_name("ruff").exists(), (
        "ruff (a dev dependency) is missing; install the dev group (make venv)"
    )
    assert _codegen.generate_realtime() == _codegen.REALTIME_OUTPUT.read_text("utf-8"), (
        "regenerate with `python -m pykis.catalog._codegen`"
    )

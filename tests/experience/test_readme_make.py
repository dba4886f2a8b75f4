"""Every ``make`` target the README names resolves: make, dry-running it, finds a rule for it and for everything it
needs (a prerequisite named through a variable defined below its rule once expanded to nothing, and ``make bench``
stopped with "No rule to make target '/.installed'"). What each target does is tested where it is built."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
TARGETS = sorted(set(re.findall(r"(?:`|^)make ([a-z][a-z-]*)", README, flags=re.MULTILINE)))  # inline or a command line


def test_the_readme_names_its_make_targets() -> None:
    assert {"demo", "test", "bench"} <= set(TARGETS)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize("target", TARGETS)
def test_a_make_target_the_readme_names_has_a_rule(target: str) -> None:
    done = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and "No rule to make target" not in done.stderr, done.stderr[-500:]

"""Print every dependency of pyproject.toml pinned at its floor (``name>=X`` → ``name==X``), one per line.

``scripts/lowest.sh`` installs them to run the tests against the oldest versions the project claims to work
with, and ``make audit`` checks them against the known-vulnerability database: a floor is then never a lie.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_FLOOR = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*>=\s*([0-9][^,;\s]*)\s*(?:[,;].*)?$")


def floors(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """``name==floor`` for the runtime dependencies and every extra (the project's own extras skipped)."""
    project = tomllib.loads(pyproject.read_text("utf-8"))["project"]
    requirements = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    pins: dict[str, str] = {}
    for requirement in requirements:
        if requirement.startswith(project["name"] + "["):
            continue
        match = _FLOOR.match(requirement)
        if match is None:
            raise SystemExit(f"floors: {requirement!r} has no '>=' floor; every dependency needs one")
        pins[match.group(1).lower()] = match.group(2)
    return [f"{name}=={version}" for name, version in sorted(pins.items())]


if __name__ == "__main__":
    sys.stdout.write("".join(line + "\n" for line in floors()))

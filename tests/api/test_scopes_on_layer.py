"""The high-level scopes are built on the generated layer: every request they send is made by a catalog operation
(path, TR IDs per environment, request fields), never written by hand beside it."""

from __future__ import annotations

import ast
from pathlib import Path

import pykis.scopes

SCOPES = Path(pykis.scopes.__file__).parent


def _hand_built_calls(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name == "ApiCall":
                lines.append(node.lineno)
    return lines


def test_no_scope_builds_an_api_call_by_hand() -> None:
    found = {path.name: lines for path in sorted(SCOPES.rglob("*.py")) if (lines := _hand_built_calls(path))}
    assert found == {}, f"ApiCall(...) built by hand (use pykis.api._generated operations): {found}"


SENDS_CALLS_BUILT_ELSEWHERE = {"send.py"}
"""orders/send.py sends the order calls plan.py and revise.py build, and the inquiries of orders/facts.py."""


def test_every_scope_that_sends_requests_uses_the_generated_operations() -> None:
    # The modules that send requests themselves (others only drive their flows).
    senders = [path for path in SCOPES.rglob("*.py") if "request_flow(" in path.read_text(encoding="utf-8")]
    assert len(senders) >= 8
    for path in senders:
        source = path.read_text(encoding="utf-8")
        if path.name in SENDS_CALLS_BUILT_ELSEWHERE:
            continue
        assert "from pykis.api._generated import" in source, path.name

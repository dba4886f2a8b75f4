"""Every ```python block of the README and the tutorials runs, in order, against a fresh emulator.

Each document gets its own emulator and runs in the emulator's secrets folder, so ``PyKis("secret.json")`` and
``PyKis("secret.json", "virtual_secret.json")`` connect to it unchanged. The blocks of one document share one
namespace, pre-seeded with what the prose assumes: ``kis`` (the emulator's ``secret.json``), ``APPKEY`` and
``SECRETKEY`` (your keys, in the prose; the emulator's demo keys here).
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import Any

import pytest

from pykis import PyKis
from pykis.emulator import Emulator

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = ("README.md", "README.ko.md", "docs/tutorial.md", "docs/tutorial.ko.md", "docs/migration.md")
FENCE = re.compile(r"^```python[^\n]*\n(.*?)^```", re.DOTALL | re.MULTILINE)


@pytest.fixture(scope="module")
def masters(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The symbol master files, downloaded from the first emulator and kept for the module (they are the same
    for every emulator); tokens stay private to each test."""
    return tmp_path_factory.mktemp("masters")


def python_blocks(text: str) -> list[tuple[int, str]]:
    """``(line number, code)`` of every ```python block, in order."""
    return [(text.count("\n", 0, match.start()) + 2, match.group(1)) for match in FENCE.finditer(text)]


def test_blocks_are_found() -> None:
    blocks = python_blocks("text\n```python\na = 1\n```\n```sh\nmake\n```\n```python title\nb = 2\n```\n")
    assert blocks == [(3, "a = 1\n"), (9, "b = 2\n")]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_python_block_runs_on_the_emulator(
    document: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, private_cache: Path, masters: Path
) -> None:
    (private_cache / "masters").symlink_to(masters, target_is_directory=True)
    path = ROOT / document
    blocks = python_blocks(path.read_text(encoding="utf-8"))
    assert blocks, f"{document} has no python block"
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    made: list[PyKis] = []  # every client the blocks make (a name rebound by a later block included), closed after
    build = PyKis.__init__

    def recorded(self: PyKis, *args: Any, **kwargs: Any) -> None:
        made.append(self)
        build(self, *args, **kwargs)

    with Emulator(secrets_dir=secrets) as emu:
        monkeypatch.chdir(secrets)
        with PyKis("secret.json", keep_token=True) as kis:
            monkeypatch.setattr(PyKis, "__init__", recorded)
            namespace: dict[str, object] = {
                "__name__": "__docs__",
                "kis": kis,
                "APPKEY": emu.real.auth.appkey,
                "SECRETKEY": emu.real.auth.secretkey,
            }
            try:
                for line, code in blocks:
                    output = io.StringIO()
                    try:
                        with contextlib.redirect_stdout(output):
                            exec(compile(code, f"{document}:{line}", "exec"), namespace)  # noqa: S102
                    except Exception as error:
                        shown = f"{error!r}\n{code}\n{output.getvalue()}"
                        pytest.fail(f"{document}, the block at line {line} raised {shown}")
            finally:
                for client in made:
                    client.close()

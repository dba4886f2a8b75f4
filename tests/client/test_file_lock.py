"""The cross-process lock behind the token cache and the shared rate limit (``pykis._files.locked``): it excludes
another process, including one holding filelock's lock on the same file (older pykis, or Windows' path), times
out as a typed ``TimeoutError``, and never follows a symlink planted at the lock's path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pykis._files import locked

HOLDER = """
import sys
from filelock import FileLock
with FileLock(sys.argv[1]):
    print("held", flush=True)
    sys.stdin.readline()
"""


def test_a_lock_another_process_holds_through_filelock_excludes_until_released(tmp_path: Path) -> None:
    path = tmp_path / "token.json.lock"
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as holder:
        assert holder.stdin is not None and holder.stdout is not None
        try:
            assert holder.stdout.readline().strip() == "held"
            with pytest.raises(TimeoutError, match="held by another process"), locked(path, timeout=0.2):
                pass
        finally:
            holder.stdin.write("\n")
            holder.stdin.flush()
            holder.wait(30)
    entered = []
    with locked(path, timeout=5):
        entered.append(True)
    assert entered == [True]


def test_the_lock_is_not_reentrant_across_descriptors_and_is_released_on_exit(tmp_path: Path) -> None:
    path = tmp_path / "rate.lock"
    with locked(path, timeout=1), pytest.raises(TimeoutError), locked(path, timeout=0.05):
        pass
    with locked(path, timeout=0.05):  # released by the first block's exit
        pass


def test_a_symlink_planted_at_the_lock_path_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "precious"
    target.write_bytes(b"keep me")
    path = tmp_path / "token.json.lock"
    path.symlink_to(target)
    with pytest.raises(OSError), locked(path, timeout=0.05):
        pass
    assert target.read_bytes() == b"keep me"

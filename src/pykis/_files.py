"""Private files: the one way pykis writes secrets and caches to disk.

A cache directory may sit under a shared folder (``PYKIS_CACHE_DIR=/tmp/...``), where another local user
can pre-place symlinks or files before we run. So every cache directory is created 0700 and used only when
the current user owns it and nobody else can write to it; every file in it is written as a private temporary
file that replaces the old one (a planted symlink is replaced, never followed); files appended to in place
(the order journal) are opened without following links and checked for owner and mode.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import TypeVar

if sys.platform != "win32":
    import fcntl

__all__ = [
    "held_elsewhere",
    "locked",
    "open_lock_file",
    "open_private_append",
    "private_dir",
    "read_private",
    "rewrite_private",
    "try_lock",
    "write_private",
]

_POSIX = os.name == "posix"

StrPath = str | os.PathLike[str]
"""A file system path. Paths are handled with :mod:`os` here and along a first quote's way: ``pathlib`` (with
the ``urllib.parse`` and ``ipaddress`` it imports) costs a cold process ~2.4 ms (issue 15)."""
P = TypeVar("P", bound=StrPath)


def _refuse(path: StrPath, why: str) -> PermissionError:
    return PermissionError(
        errno.EACCES,
        f"refusing to use {path}: {why}. Point PYKIS_CACHE_DIR (or keep_token) at a directory of your own",
    )


def _check_owner(path: StrPath, info: os.stat_result, what: str) -> None:
    if _POSIX and info.st_uid != os.geteuid():
        raise _refuse(path, f"the {what} belongs to another user (uid {info.st_uid}, you are {os.geteuid()})")


def private_dir(path: P) -> P:
    """Create ``path`` (mode 0700) or check it: a directory the current user owns that nobody else can write
    to or read. A loose mode on our own directory is tightened; anything else raises :class:`PermissionError`
    (an ``OSError``) with a message that says what to do. Returns ``path``."""
    os.makedirs(path, mode=0o700, exist_ok=True)  # the mode applies to the last directory only, as mkdir's
    if not _POSIX:
        return path
    info = os.stat(path)
    if not stat.S_ISDIR(info.st_mode):
        raise _refuse(path, "it is not a directory")
    _check_owner(path, info, "directory")
    if info.st_mode & 0o077:
        os.chmod(path, 0o700)
    return path


def write_private(path: StrPath, content: bytes, *, durable: bool = True) -> None:
    """Atomically replace ``path`` with ``content`` through a fresh 0600 temporary file beside it: never
    half-written, never through a symlink planted at ``path``. ``durable`` syncs it to disk first."""
    parent = os.path.dirname(path)
    if parent:
        os.makedirs(parent, exist_ok=True)
    fd, tmp = _create_temporary(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _create_temporary(path: StrPath) -> tuple[int, str]:
    """A new private file beside ``path`` under a random name, as ``tempfile.mkstemp`` makes one (exclusive
    create, 0600, no link followed); written here because importing ``tempfile`` costs a cold start ~2 ms."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    parent, name = os.path.split(os.fspath(path))
    for _ in range(100):
        tmp = os.path.join(parent, f".{name}.{os.urandom(6).hex()}")
        try:
            return os.open(tmp, flags, 0o600), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(path))


def _open_checked(path: StrPath, flags: int) -> int:
    """``os.open`` without following a final symlink, the result checked to be our own private file."""
    fd = os.open(path, flags | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _refuse(path, "it is not a regular file")
        _check_owner(path, info, "file")
        if _POSIX and info.st_mode & 0o077:
            raise _refuse(path, f"other users can access it (mode {info.st_mode & 0o777:o})")
    except BaseException:
        os.close(fd)
        raise
    return fd


def open_private_append(path: StrPath) -> int:
    """A descriptor appending to ``path`` (created 0600); raises ``OSError`` for a symlink, or a file another
    user owns or can access."""
    return _open_checked(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)


def rewrite_private(path: StrPath, change: Callable[[bytes], bytes]) -> None:
    """Replace the content of the small file ``path`` (created 0600, checked as :func:`open_private_append`
    checks) with ``change(old content)``, in place, for a caller that holds the file's lock. The file is never
    truncated: the new content is padded with spaces to the old length (a JSON reader skips them), because ext4
    writes a truncated-and-rewritten file, like one renamed over another, through to disk at once (~0.3 ms a
    time, against ~10 µs). A crash mid-write can leave a torn file: only for state that may be re-learnt. A link or
    a loose file found at ``path`` is replaced, as :func:`write_private` would, before it is written."""
    try:
        fd = _open_checked(path, os.O_RDWR | os.O_CREAT)
    except OSError as exc:
        if not isinstance(exc, PermissionError) and exc.errno not in (errno.ELOOP, errno.EMLINK):
            raise
        # Not our own plain private file (a planted link, a loose mode): replaced by one, never followed.
        write_private(path, b"", durable=False)
        fd = _open_checked(path, os.O_RDWR | os.O_CREAT)
    with os.fdopen(fd, "r+b") as handle:
        old = handle.read()
        new = change(old)
        handle.seek(0)
        handle.write(new.ljust(len(old)))


def read_private(path: StrPath) -> bytes:
    """The content of ``path``, read as :func:`open_private_append` would accept it (``FileNotFoundError``
    when it does not exist)."""
    fd = _open_checked(path, os.O_RDONLY)
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


@contextmanager
def locked(path: StrPath, timeout: float) -> Iterator[None]:
    """Hold the cross-process lock ``path`` (a private lock file beside what it guards); ``TimeoutError``
    after ``timeout`` seconds. On POSIX it is ``flock`` on the file, as filelock's own Unix lock takes it (the
    two interoperate), without that package's ~14 ms of imports on a short script's first request (issue 15);
    elsewhere filelock."""
    if sys.platform == "win32":
        from filelock import FileLock, Timeout  # noqa: PLC0415 - only where fcntl is missing (Windows)

        try:
            with FileLock(str(path), timeout=timeout):
                yield
        except Timeout:
            raise held_elsewhere(path) from None
        return
    fd = open_lock_file(path)
    try:
        deadline, pause = time.monotonic() + timeout, 0.0005
        while not try_lock(fd):
            if time.monotonic() >= deadline:
                raise held_elsewhere(path)
            time.sleep(pause)
            pause = min(pause * 2, 0.01)
        yield
    finally:
        os.close(fd)  # releases the lock


def open_lock_file(path: StrPath) -> int:
    """A descriptor of the lock file ``path`` (POSIX). It holds nothing, so an older lock file's looser mode
    (filelock's 0644) is accepted; never a symlink."""
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)


def try_lock(fd: int) -> bool:
    """Take the cross-process lock of ``fd`` if no other process holds it; never waits (POSIX)."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def held_elsewhere(path: StrPath) -> TimeoutError:
    """The error of a lock another process kept past the timeout."""
    return TimeoutError(errno.ETIMEDOUT, f"{path} is held by another process")

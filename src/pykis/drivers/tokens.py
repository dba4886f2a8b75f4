"""Access tokens shared by every client of one app key: threads, asyncio tasks and processes.

KIS messages the account holder on every issue and refuses a second issue within a minute
(EGW00133), so a token is issued under a per-key thread lock and, when tokens are kept on disk, a
per-key file lock; whoever gets the lock second finds the fresh token and uses it. The asyncio client takes
the same locks without blocking its loop (:mod:`pykis.drivers.locks_asyncio`) and sends on the loop.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import TYPE_CHECKING

import msgspec

from pykis._files import StrPath, locked, private_dir
from pykis._log import lazy_logger
from pykis.auth import warn_if_shared, write_private
from pykis.protocol.env import Environment
from pykis.protocol.http import HttpRequest, HttpResponse
from pykis.protocol.token import (
    AccessToken,
    cache_key,
    decode_auth_answer,
    issue_request,
    parse_token,
    revoke_request,
    token_host,
)

if TYPE_CHECKING:
    from pykis.drivers.locks_asyncio import Gates

__all__ = ["AsyncTransport", "TokenManager", "Transport"]

log = lazy_logger()

Transport = Callable[[HttpRequest], HttpResponse]
AsyncTransport = Callable[[HttpRequest], Awaitable[HttpResponse]]
_FILE_TIMEOUT = 60.0  # seconds another process may take to issue (one HTTP exchange, with its retries)
_POLL = 0.05  # a contended token lock is held for an HTTP exchange: a retry every 50 ms costs nothing


class _Shared(msgspec.Struct):
    """What every client of one (environment, host, app key) in this process shares."""

    lock: threading.Lock = msgspec.field(default_factory=threading.Lock)
    gates: Gates = msgspec.field(default_factory=weakref.WeakKeyDictionary)  # asyncio tasks queue here, per loop
    token: AccessToken | None = None


_REGISTRY: dict[str, _Shared] = {}
_REGISTRY_LOCK = threading.Lock()


def _shared(stem: str) -> _Shared:
    with _REGISTRY_LOCK:
        return _REGISTRY.setdefault(stem, _Shared())


class TokenManager:
    """Hands out a valid access token for one environment's app key at one host, issuing one only when needed.

    ``host`` is the REST base URL the token is issued by and used at: tokens are shared per
    (environment, host, app key). ``cache_dir`` set means ``keep_token``: the token is kept in
    ``<cache_dir>/<env>-<hash>.json`` (0600, no secret inside) and coordinated across processes with a
    file lock beside it.
    """

    def __init__(
        self,
        environment: Environment,
        appkey: str,
        appsecret: str,
        transport: Transport | None,
        *,
        host: str,
        cache_dir: StrPath | None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.environment = environment
        self._appkey = appkey
        self._appsecret = appsecret
        self._transport = transport  # None: an asyncio client's, which passes its send to each *_async call
        self._clock = clock
        self.host = token_host(host)
        stem, self._key_hash = cache_key(environment, appkey, self.host)
        self._shared = _shared(stem)
        self._file = os.path.join(cache_dir, f"{stem}.json") if cache_dir else None
        self.issued = 0

    def __repr__(self) -> str:
        return f"TokenManager({self.environment.value}@{self.host}, cached={self._file is not None})"

    def seconds_left(self, token: AccessToken) -> float:
        """How long ``token`` still lives (its expiry is kept on this manager's clock, as it was received)."""
        return token.expires_at - self._clock()

    def peek(self) -> str | None:
        """The token if one is in memory and valid (no lock, no I/O): the hot path."""
        token = self._usable(self._shared.token)
        return token.value if token is not None else None

    def get(self, stale: str | None = None) -> str:
        """A valid token other than ``stale``; issues one if neither memory nor the cache has it."""
        token = self._usable(self._shared.token, stale)
        if token is not None:
            return token.value
        with self._shared.lock:
            token = self._usable(self._shared.token, stale)
            if token is None:
                token = self._issue() if self._file is None else self._get_cached_or_issue(stale)
                self._shared.token = token
            return token.value

    async def get_async(self, send: AsyncTransport, stale: str | None = None) -> str:
        """:meth:`get` for an asyncio client: waits for the locks without blocking the loop, issues through
        ``send`` on the loop, reads the cache on the loop and writes it in a worker thread."""
        from pykis.drivers.locks_asyncio import holding  # noqa: PLC0415 — asyncio only for the asyncio client (cold start)

        token = self._usable(self._shared.token, stale)
        if token is not None:
            return token.value
        async with holding(self._shared.lock, self._shared.gates, _POLL):
            token = self._usable(self._shared.token, stale)
            if token is None:
                token = await (
                    self._issue_async(send) if self._file is None else self._cached_or_issue_async(send, stale)
                )
                self._shared.token = token
            return token.value

    def current(self) -> AccessToken:
        """The token object (issuing if needed), for callers that want its expiry."""
        self.get()
        return self._held()

    async def current_async(self, send: AsyncTransport) -> AccessToken:
        """:meth:`current` for an asyncio client."""
        await self.get_async(send)
        return self._held()

    def revoke(self) -> None:
        """Revoke the token at the server (``/oauth2/revokeP``) and forget it everywhere."""
        assert self._transport is not None
        with self._shared.lock:
            token = self._forget()
            if token is not None:
                self._revoked(self._transport(revoke_request(self._appkey, self._appsecret, token.value)))

    async def revoke_async(self, send: AsyncTransport) -> None:
        """:meth:`revoke` for an asyncio client."""
        import asyncio  # noqa: PLC0415 — see get_async

        from pykis.drivers.locks_asyncio import holding  # noqa: PLC0415

        async with holding(self._shared.lock, self._shared.gates, _POLL):
            token = await asyncio.to_thread(self._forget)
            if token is not None:
                self._revoked(await send(revoke_request(self._appkey, self._appsecret, token.value)))

    # -- one step each, shared by the blocking and asyncio paths ---------------------------------------
    def _usable(self, token: AccessToken | None, stale: str | None = None) -> AccessToken | None:
        return token if token is not None and token.value != stale and token.valid(self._clock()) else None

    def _held(self) -> AccessToken:
        token = self._shared.token
        assert token is not None
        return token

    def _forget(self) -> AccessToken | None:
        """Drop the token from memory and disk; the one to revoke at the server, if any."""
        token = self._shared.token
        if token is None and self._file is not None:
            token = self._read_cache()
        self._shared.token = None
        if self._file is not None:
            with suppress(FileNotFoundError):
                os.unlink(self._file)
        return token

    def _revoked(self, response: HttpResponse) -> None:
        decode_auth_answer(response.status, response.body, "revokeP")
        log.info("Revoked the %s access token", self.environment.value)

    def _lock_file(self) -> str:
        assert self._file is not None
        private_dir(os.path.dirname(self._file))  # refuses a directory another user owns
        return self._file + ".lock"

    def _keep(self, token: AccessToken) -> None:
        assert self._file is not None
        write_private(self._file, token.to_json(self.environment, self._key_hash, self.host))

    def _get_cached_or_issue(self, stale: str | None) -> AccessToken:
        assert self._file is not None
        lock_file = self._lock_file()
        cached = self._cached_unlocked(stale)
        if cached is not None:
            return cached
        with locked(lock_file, timeout=_FILE_TIMEOUT):
            cached = self._usable(self._read_cache(), stale)
            if cached is not None:
                return cached
            token = self._issue()
            self._keep(token)
            return token

    def _cached_unlocked(self, stale: str | None) -> AccessToken | None:
        """A valid cached token, read without the cross-process lock: the file is only ever replaced whole
        (write_private), so a reader sees the old token or the new one. Issuing re-reads under the lock, so
        processes racing for a missing or stale token still issue one between them."""
        assert self._file is not None
        cached = self._usable(self._read_cache(quiet=True), stale)  # what is wrong with the file is told once
        if cached is not None:
            warn_if_shared(self._file)
        return cached

    async def _cached_or_issue_async(self, send: AsyncTransport, stale: str | None) -> AccessToken:
        import asyncio  # noqa: PLC0415 — see get_async

        from pykis.drivers.locks_asyncio import file_locked  # noqa: PLC0415

        # The directory check, the cache's read (a ~600-byte file: ~10 µs) and the lock file's open are a few
        # local system calls, made on the loop: a worker thread costs more, and a cold process's first one
        # ~1.5 ms (the executor's import, its start and its join at exit). Only the fsynced write of a newly
        # issued token goes to a worker thread.
        lock_file = self._lock_file()
        cached = self._cached_unlocked(stale)
        if cached is not None:
            return cached
        async with file_locked(lock_file, timeout=_FILE_TIMEOUT, poll=_POLL):
            cached = self._usable(self._read_cache(), stale)
            if cached is not None:
                return cached
            token = await self._issue_async(send)
            await asyncio.to_thread(self._keep, token)
            return token

    def _read_cache(self, *, quiet: bool = False) -> AccessToken | None:
        assert self._file is not None
        try:
            with open(self._file, "rb") as file:
                raw = file.read()
        except FileNotFoundError:
            return None
        except OSError as exc:
            if not quiet:
                log.warning("Cannot read the token cache %s (%s); issuing a new token", self._file, exc.strerror)
            return None
        if not quiet:
            warn_if_shared(self._file)
        try:
            return AccessToken.from_json(raw, self.environment, self._key_hash, self.host)
        except (ValueError, TypeError) as exc:
            if not quiet:
                log.warning("Ignoring a corrupt token cache %s (%s); issuing a new token", self._file, exc)
            return None

    def _issue(self) -> AccessToken:
        assert self._transport is not None
        return self._issued(self._transport(issue_request(self._appkey, self._appsecret)))

    async def _issue_async(self, send: AsyncTransport) -> AccessToken:
        return self._issued(await send(issue_request(self._appkey, self._appsecret)))

    def _issued(self, response: HttpResponse) -> AccessToken:
        token = parse_token(decode_auth_answer(response.status, response.body, "tokenP"), self._clock())
        self.issued += 1
        log.info("Issued a %s access token, valid until %r", self.environment.value, token)
        return token

"""Access tokens shared by every client of one app key: threads, asyncio tasks and processes.

KIS messages the account holder on every issue and refuses a second issue within a minute
(EGW00133), so a token is issued under a per-key thread lock and, when tokens are kept on disk, a
per-key file lock; whoever gets the lock second finds the fresh token and uses it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pykis._files import locked, private_dir
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

__all__ = ["TokenManager"]

log = lazy_logger()

Transport = Callable[[HttpRequest], HttpResponse]


@dataclass(slots=True)
class _Shared:
    """What every client of one (environment, host, app key) in this process shares."""

    lock: threading.Lock = field(default_factory=threading.Lock)
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
        transport: Transport,
        *,
        host: str,
        cache_dir: Path | None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.environment = environment
        self._appkey = appkey
        self._appsecret = appsecret
        self._transport = transport
        self._clock = clock
        self.host = token_host(host)
        stem, self._key_hash = cache_key(environment, appkey, self.host)
        self._shared = _shared(stem)
        self._file = cache_dir / f"{stem}.json" if cache_dir else None
        self.issued = 0

    def __repr__(self) -> str:
        return f"TokenManager({self.environment.value}@{self.host}, cached={self._file is not None})"

    def peek(self) -> str | None:
        """The token if one is in memory and valid (no lock, no I/O): the hot path."""
        token = self._shared.token
        return token.value if token is not None and token.valid(self._clock()) else None

    def get(self, stale: str | None = None) -> str:
        """A valid token other than ``stale``; issues one if neither memory nor the cache has it."""
        token = self._shared.token
        if token is not None and token.value != stale and token.valid(self._clock()):
            return token.value
        with self._shared.lock:
            token = self._shared.token
            if token is not None and token.value != stale and token.valid(self._clock()):
                return token.value
            token = self._issue() if self._file is None else self._get_cached_or_issue(stale)
            self._shared.token = token
            return token.value

    def current(self) -> AccessToken:
        """The token object (issuing if needed), for callers that want its expiry."""
        self.get()
        token = self._shared.token
        assert token is not None
        return token

    def revoke(self) -> None:
        """Revoke the token at the server (``/oauth2/revokeP``) and forget it everywhere."""
        with self._shared.lock:
            token = self._shared.token
            if token is None and self._file is not None:
                token = self._read_cache()
            self._shared.token = None
            if self._file is not None:
                self._file.unlink(missing_ok=True)
            if token is None:
                return
            response = self._transport(revoke_request(self._appkey, self._appsecret, token.value))
            decode_auth_answer(response.status, response.body, "revokeP")
            log.info("Revoked the %s access token", self.environment.value)

    def _get_cached_or_issue(self, stale: str | None) -> AccessToken:
        assert self._file is not None
        private_dir(self._file.parent)  # refuses a directory another user owns
        # A valid cached token is read without the cross-process lock: the file is only ever replaced whole
        # (write_private), so a reader sees the old token or the new one. Issuing re-reads under the lock, so
        # processes racing for a missing or stale token still issue one between them.
        cached = self._read_cache(quiet=True)  # what is wrong with the file is told under the lock, once
        if cached is not None and cached.value != stale and cached.valid(self._clock()):
            warn_if_shared(self._file)
            return cached
        with locked(self._file.with_name(self._file.name + ".lock"), timeout=60):
            cached = self._read_cache()
            if cached is not None and cached.value != stale and cached.valid(self._clock()):
                return cached
            token = self._issue()
            write_private(self._file, token.to_json(self.environment, self._key_hash, self.host))
            return token

    def _read_cache(self, *, quiet: bool = False) -> AccessToken | None:
        assert self._file is not None
        try:
            raw = self._file.read_bytes()
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
        response = self._transport(issue_request(self._appkey, self._appsecret))
        token = parse_token(decode_auth_answer(response.status, response.body, "tokenP"), self._clock())
        self.issued += 1
        log.info("Issued a %s access token, valid until %r", self.environment.value, token)
        return token

"""The options both clients take, and the credentials they resolve to (no I/O beyond reading a secret file)."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, TypedDict

from pykis._log import lazy_logger
from pykis.auth import KisAuth
from pykis.errors import KisCredentialError
from pykis.protocol.urls import split

if TYPE_CHECKING:
    from pathlib import Path

    from pykis.gateway.wire import NatsOptions
    from pykis.protocol.clock import ServiceClock
    from pykis.protocol.env import KisHosts
    from pykis.protocol.retry import RetryPolicy

__all__ = ["ClientOptions", "SecretSource", "default_cache_dir"]

log = lazy_logger()

SecretSource = KisAuth | str | os.PathLike[str]


class ClientOptions(TypedDict, total=False):
    """The keyword options of :class:`~pykis.PyKis` and :class:`~pykis.AsyncPyKis`."""

    id: str
    account: str
    appkey: str
    secretkey: str
    virtual_id: str
    virtual_appkey: str
    virtual_secretkey: str
    keep_token: bool | str | os.PathLike[str]
    hosts: KisHosts
    virtual_hosts: KisHosts
    rate_limit: int
    virtual_rate_limit: int
    timeout: float
    retry: RetryPolicy
    share_rate_limit: bool
    verify: bool
    clock: ServiceClock
    gateway: str | NatsOptions


_KEYS = frozenset(ClientOptions.__annotations__)
_SECRETS = ("id", "account", "appkey", "secretkey")
_VIRTUAL_SECRETS = ("virtual_id", "virtual_appkey", "virtual_secretkey")


def check_options(options: ClientOptions) -> None:
    """Refuse a keyword neither client takes, as a signature would."""
    unknown = sorted(set(options) - _KEYS)
    if unknown:
        raise TypeError(f"unexpected keyword argument {unknown[0]!r}")


def default_cache_dir() -> Path:
    """``$PYKIS_CACHE_DIR`` or the per-user cache directory (``~/.cache/pykis`` on Linux)."""
    from pathlib import Path  # noqa: PLC0415 — the clients use cache_root(), which keeps pathlib off a cold start

    return Path(cache_root())


def cache_root() -> str:
    """:func:`default_cache_dir` as a string, without importing ``pathlib`` (~2.4 ms of a cold start)."""
    override = os.environ.get("PYKIS_CACHE_DIR")
    if override:
        return override
    if sys.platform == "linux" and "ANDROID_DATA" not in os.environ:
        # The XDG rule (a relative path is ignored, as the spec and platformdirs since 4.3 say), by hand: the
        # import of platformdirs (with tempfile) costs a cold script ~8 ms.
        xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
        return os.path.join(xdg if os.path.isabs(xdg) else os.path.expanduser("~/.cache"), "pykis")
    from platformdirs import user_cache_dir  # noqa: PLC0415 — macOS and Windows keep their own rules

    return user_cache_dir("pykis", appauthor=False)


def token_dir(keep_token: bool | str | os.PathLike[str]) -> str | None:
    """Where tokens are kept (``None``: in memory only)."""
    if keep_token is True:
        return os.path.join(cache_root(), "tokens")
    if keep_token is False:
        return None
    return os.fspath(keep_token)


_WARNED: set[str] = set()
_LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


def warn_if_plain(rest_url: str, verify: bool) -> None:
    """Warn once per process when the app secret and tokens would cross the network unprotected: plain
    ``http://`` to another machine, or TLS without certificate checks (anyone on the path can read them)."""
    parts = split(rest_url)
    reasons = []
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        reasons.append(f"{rest_url} is plain http: the app secret and tokens travel unencrypted")
    if not verify and parts.scheme == "https":
        reasons.append(f"verify=False: the certificate of {parts.hostname} is not checked")
    for reason in reasons:
        if reason not in _WARNED:
            _WARNED.add(reason)
            log.warning("%s", reason)


def _load(source: SecretSource) -> KisAuth:
    return source if isinstance(source, KisAuth) else KisAuth.load(source)


def credentials(
    auth: SecretSource | None, virtual_auth: SecretSource | None, options: ClientOptions
) -> tuple[KisAuth | None, KisAuth | None]:
    """The real and virtual credentials, from secret files / :class:`KisAuth` objects or from keywords."""
    given = [key for key in (*_SECRETS, *_VIRTUAL_SECRETS) if options.get(key) is not None]
    if auth is not None or virtual_auth is not None:
        if given:
            raise KisCredentialError("pass either secret files / KisAuth objects or keyword credentials")
        first = _load(auth) if auth is not None else None
        second = _load(virtual_auth) if virtual_auth is not None else None
        if second is not None and not second.virtual:
            raise KisCredentialError("the second credential must be a virtual (모의투자) one: virtual=True")
        if first is not None and first.virtual:
            if second is not None:
                raise KisCredentialError("the first credential must be a real (실전투자) one")
            return None, first
        return first, second
    id, account = options.get("id"), options.get("account")
    appkey, secretkey = options.get("appkey"), options.get("secretkey")
    if id is None or account is None or appkey is None or secretkey is None:
        raise KisCredentialError("PyKis needs id, account, appkey and secretkey (or a secret file)")
    real = KisAuth(id=id, appkey=appkey, secretkey=secretkey, account=account)
    virtual_id, virtual_appkey = options.get("virtual_id"), options.get("virtual_appkey")
    virtual_secretkey = options.get("virtual_secretkey")
    if virtual_id is None and virtual_appkey is None and virtual_secretkey is None:
        return real, None
    if virtual_id is None or virtual_appkey is None or virtual_secretkey is None:
        raise KisCredentialError("virtual trading needs virtual_id, virtual_appkey and virtual_secretkey")
    virtual = KisAuth(id=virtual_id, appkey=virtual_appkey, secretkey=virtual_secretkey, account=account, virtual=True)
    return real, virtual

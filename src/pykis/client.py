"""``PyKis`` (blocking) and ``AsyncPyKis`` (asyncio): the entry points of the library.

Both take the same arguments, share one configuration core, and run the same protocol flows
(:mod:`pykis.protocol.flow`); only the driver that performs I/O differs.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import AsyncIterator, Generator, Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar
from zoneinfo import ZoneInfo

from pykis._log import lazy_logger
from pykis.auth import KisAccountNumber, KisAuth
from pykis.errors import KisCredentialError, KisTransportError, KisValidationError
from pykis.protocol.clock import ServiceClock
from pykis.protocol.env import Environment, KisHosts
from pykis.protocol.flow import (
    Action,
    GetToken,
    LoadMasters,
    RateRefused,
    Relay,
    Send,
    Sleep,
    SyncClock,
    Throttle,
    call_flow,
    relay_flow,
)
from pykis.protocol.http import HttpRequest, HttpResponse
from pykis.protocol.paging import next_page
from pykis.protocol.ratelimit import RateWindow
from pykis.protocol.request import ApiCall, Credentials
from pykis.protocol.retry import RetryPolicy
from pykis.protocol.token import AccessToken, approval_request, cache_key, parse_approval

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Iterable
    from datetime import date
    from decimal import Decimal

    from pykis._journal import OrderJournal
    from pykis.masters import MasterRow
    from pykis.models.quote import KisQuote
    from pykis.protocol.envelope import Envelope
    from pykis.scopes.account import AsyncKisAccount, KisAccount
    from pykis.scopes.stock import AsyncKisStock, KisStock, StockBase, Venue
    from pykis.sessions import KisTradingHours

if TYPE_CHECKING:
    from pykis._async.websocket import AsyncKisWebsocketClient
    from pykis._sync.websocket import KisWebsocketClient
    from pykis.api import AsyncKisApi, KisApi
    from pykis.gateway.link import GatewayLink
    from pykis.gateway.wire import NatsOptions


T = TypeVar("T")


class _Deferred:
    """``asyncio``, imported on first use: only :class:`AsyncPyKis` needs it, and it costs a blocking
    user ~35 ms of import time."""

    def __getattr__(self, name: str) -> Any:
        import asyncio

        return getattr(asyncio, name)


if not TYPE_CHECKING:
    asyncio = _Deferred()

__all__ = ["AsyncPyKis", "PyKis"]

log = lazy_logger()
_KST = ZoneInfo("Asia/Seoul")

SecretSource = KisAuth | str | os.PathLike[str]


def default_cache_dir() -> Path:
    """``$PYKIS_CACHE_DIR`` or the per-user cache directory (``~/.cache/pykis`` on Linux)."""
    override = os.environ.get("PYKIS_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_path

    return user_cache_path("pykis", appauthor=False)


_WARNED: set[str] = set()
_LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


def _warn_if_plain(rest_url: str, verify: bool) -> None:
    """Warn once per process when the app secret and tokens would cross the network unprotected: plain
    ``http://`` to another machine, or TLS without certificate checks (anyone on the path can read them)."""
    from urllib.parse import urlsplit

    parts = urlsplit(rest_url)
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


class _MasterDownload:
    """The body of a master-file download, gathered chunk by chunk and reported to :mod:`pykis.progress`."""

    def __init__(self, name: str, length: str | None) -> None:
        from pykis import progress
        from pykis.masters import MAX_MASTER_BYTES

        self._progress = progress if progress.active() else None
        self._limit = MAX_MASTER_BYTES
        self._name = name
        self._task = f"master {name}"
        self._total = float(length) if length and length.isdigit() else None
        self._chunks: list[bytes] = []
        self._size = 0
        if self._total is not None and self._total > self._limit:
            raise self._too_large()

    def _too_large(self) -> KisTransportError:
        return KisTransportError(f"the master file {self._name} is larger than {self._limit} bytes; refused")

    def add(self, chunk: bytes) -> None:
        """One chunk as httpx hands it over: after any Content-Encoding is undone, so a gzip bomb counts whole."""
        self._size += len(chunk)
        if self._size > self._limit:
            raise self._too_large()
        self._chunks.append(chunk)
        if self._progress is not None:
            self._progress.report(self._task, self._size, self._total, "bytes")

    def finish(self) -> bytes:
        if self._progress is not None:
            self._progress.report(self._task, self._size, self._total, "bytes", finished=True)
        return b"".join(self._chunks)


@dataclass(slots=True)
class _Side:
    """Everything one environment (real or virtual) needs at run time."""

    environment: Environment
    auth: KisAuth
    hosts: KisHosts
    credentials: Credentials
    window: RateWindow


class _ClientCore:
    """Configuration shared by :class:`PyKis` and :class:`AsyncPyKis`; no I/O happens here."""

    def __init__(
        self,
        auth: SecretSource | None = None,
        virtual_auth: SecretSource | None = None,
        *,
        id: str | None = None,
        account: str | None = None,
        appkey: str | None = None,
        secretkey: str | None = None,
        virtual_id: str | None = None,
        virtual_appkey: str | None = None,
        virtual_secretkey: str | None = None,
        keep_token: bool | str | os.PathLike[str] = True,
        hosts: KisHosts | None = None,
        virtual_hosts: KisHosts | None = None,
        rate_limit: int | None = None,
        virtual_rate_limit: int | None = None,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        share_rate_limit: bool = True,
        verify: bool = True,
        clock: ServiceClock | None = None,
        gateway: str | NatsOptions | None = None,
    ) -> None:
        self._gateway: GatewayLink | None = None
        if gateway is not None:
            real, virtual = self._through_gateway(gateway, auth, virtual_auth, id, appkey, secretkey)
        else:
            real, virtual = self._credentials(
                auth, virtual_auth, id, account, appkey, secretkey, virtual_id, virtual_appkey, virtual_secretkey
            )
        self._sides: dict[Environment, _Side] = {}
        for environment, chosen, custom_hosts, limit in (
            (Environment.REAL, real, hosts, rate_limit),
            (Environment.VIRTUAL, virtual, virtual_hosts, virtual_rate_limit),
        ):
            if chosen is None:
                continue
            default = KisHosts.default(environment)
            side_hosts = custom_hosts or KisHosts(chosen.rest_url or default.rest, chosen.ws_url or default.websocket)
            self._sides[environment] = _Side(
                environment,
                chosen,
                side_hosts,
                Credentials(chosen.appkey, chosen.secretkey),
                RateWindow(limit or environment.default_rate),
            )
        if keep_token is True:
            self._token_dir: Path | None = default_cache_dir() / "tokens"
        elif keep_token is False:
            self._token_dir = None
        else:
            self._token_dir = Path(keep_token)
        self._rate_dir = (self._token_dir or default_cache_dir() / "tokens").parent / "ratelimit"
        if not share_rate_limit:
            self._rate_dir = None  # type: ignore[assignment]
        self._retry = retry or RetryPolicy()
        self._timeout = timeout
        self._verify = verify
        for side in self._sides.values():
            _warn_if_plain(side.hosts.rest, verify)
        self._approvals: dict[Environment, str] = {}
        from pykis.masters import MasterCache, SymbolIndex

        self._index = SymbolIndex()
        self._loaded_masters: set[str] = set()
        self._master_cache = MasterCache(default_cache_dir() / "masters")
        self.clock = clock or ServiceClock()
        """The service's time (learned from its answers' ``Date`` headers); every scope asks it for "now"."""
        self._krx_open_days: dict[date, bool] = {}  # CTCA0903R answers, kept (the broker asks ~1 call a day)
        self.price_limits: dict[str, tuple[date, tuple[Decimal, Decimal, Decimal]]] = {}
        """Each domestic stock's (lower, upper, last) price of the day they were asked; the order checks read them."""

    _journal: OrderJournal | None = None

    @property
    def journal(self) -> OrderJournal:
        """The order journal: every order written down before it is sent (``<cache>/orders``, :mod:`pykis._journal`)."""
        if self._journal is None:
            # Loaded with the first order, not with a quote (a cold script's first quote stays light).
            from pykis._journal import OrderJournal  # noqa: PLC0415

            self._journal = OrderJournal(default_cache_dir() / "orders", self.clock.now)
        return self._journal

    @journal.setter
    def journal(self, journal: OrderJournal) -> None:
        self._journal = journal

    def _through_gateway(self, gateway: str | NatsOptions, *given: object) -> tuple[KisAuth | None, KisAuth | None]:
        """Connect to a gateway (:mod:`pykis.gateway`); the client then holds no secret, only stand-ins naming
        the gateway's accounts."""
        if any(value is not None for value in given):
            raise KisCredentialError("a gateway client takes no secret: the gateway holds the keys")
        from pykis.gateway.link import GatewayLink, gateway_options

        self._gateway = GatewayLink(gateway_options(gateway))
        return self._gateway.auths()

    def _keyed(self, what: str) -> None:
        """Refuse what only a client holding the keys can do."""
        if self._gateway is not None:
            raise KisValidationError(f"{what} stays with the gateway: a gateway client holds no key or token")

    @staticmethod
    def _credentials(
        auth: SecretSource | None,
        virtual_auth: SecretSource | None,
        id: str | None,
        account: str | None,
        appkey: str | None,
        secretkey: str | None,
        virtual_id: str | None,
        virtual_appkey: str | None,
        virtual_secretkey: str | None,
    ) -> tuple[KisAuth | None, KisAuth | None]:
        keywords = (id, account, appkey, secretkey, virtual_id, virtual_appkey, virtual_secretkey)
        if auth is not None or virtual_auth is not None:
            if any(value is not None for value in keywords):
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
        if id is None or account is None or appkey is None or secretkey is None:
            raise KisCredentialError("PyKis needs id, account, appkey and secretkey (or a secret file)")
        real = KisAuth(id=id, appkey=appkey, secretkey=secretkey, account=account)
        virtual_given = (virtual_id, virtual_appkey, virtual_secretkey)
        if all(value is None for value in virtual_given):
            return real, None
        if any(value is None for value in virtual_given):
            raise KisCredentialError("virtual trading needs virtual_id, virtual_appkey and virtual_secretkey")
        assert virtual_id is not None and virtual_appkey is not None and virtual_secretkey is not None
        virtual = KisAuth(
            id=virtual_id, appkey=virtual_appkey, secretkey=virtual_secretkey, account=account, virtual=True
        )
        return real, virtual

    check_sessions: bool | None = None
    """Refuse orders outside the session that takes their type (KST clock). ``None``: only against the
    broker's own hosts (a local emulator may keep every market open)."""

    # ----------------------------------------------------------------------------------------
    @property
    def virtual(self) -> bool:
        """Whether accounts and orders go to the virtual (모의투자) service."""
        return Environment.VIRTUAL in self._sides

    @property
    def trading_auth(self) -> KisAuth:
        """The credentials that accounts and orders use."""
        return self._side_for(trading=True).auth

    @property
    def primary_account(self) -> KisAccountNumber:
        """The account of the trading credentials."""
        return self.trading_auth.account_number

    @property
    def environments(self) -> tuple[Environment, ...]:
        """The configured environments."""
        return tuple(self._sides)

    def hosts(self, environment: Environment) -> KisHosts:
        """The hosts one environment talks to."""
        return self._side(environment).hosts

    def _side(self, environment: Environment) -> _Side:
        try:
            return self._sides[environment]
        except KeyError:
            raise KisValidationError(f"no {environment.value} credentials were given") from None

    def _side_for(self, *, trading: bool) -> _Side:
        """Trading goes to virtual when configured; market data goes to real when configured."""
        if trading:
            preferred = Environment.VIRTUAL if self.virtual else Environment.REAL
        else:
            preferred = Environment.REAL if Environment.REAL in self._sides else Environment.VIRTUAL
        return self._sides[preferred]

    def environment_for(self, call: ApiCall) -> Environment:
        """Which environment ``call`` goes to."""
        return self._side_for(trading=call.trading).environment

    def request_flow(self, call: ApiCall) -> Generator[Action, Any, Envelope]:
        """The flow that sends ``call`` (to the gateway when the client goes through one) and yields its envelope."""
        side = self._side_for(trading=call.trading)
        call.tr_id_for(side.environment)  # refuse a TR the environment lacks before anything else
        if self._gateway is not None:
            return relay_flow(call)
        return call_flow(call, side.environment, side.credentials, self._retry)

    def _master_url(self, name: str) -> str:
        return f"{self._side_for(trading=False).hosts.masters_url}/{name}.zip"

    def _master_failed(self, name: str, reason: object) -> bytes | None:
        """Log a master file that could not be had; resolution then falls back to the product inquiries."""
        log.warning(
            "Cannot download the master file %s from %s (%s); falling back to product inquiries",
            name,
            self._master_url(name),
            reason,
        )
        return None

    def _unpack_master(self, name: str, status: int, body: bytes) -> bytes | None:
        """The unzipped content of a downloaded master archive; ``None`` (logged) when it is not one."""
        from pykis.masters import unzip

        if status != 200:
            return self._master_failed(name, f"HTTP {status}")
        try:
            return unzip(body)
        except ValueError as exc:
            return self._master_failed(name, exc)

    def _add_master(self, name: str, content: bytes | None) -> None:
        """Index a master file's content (``None``: it could not be had; resolution falls back to inquiries)."""
        from pykis.masters import rows_of

        self._loaded_masters.add(name)
        if content is None:
            return
        for row in rows_of(name, content):
            self._index.add(row)

    def _rate_stem(self, side: _Side) -> str:
        return cache_key(side.environment, side.auth.appkey, side.hosts.rest)[0]

    def trading_hours(self, market: str) -> KisTradingHours:
        """The sessions of ``market`` (``"KRX"``, ``"NXT"``, ``"NASDAQ"``…); ``hours.session(kis.now())`` names the
        current one. Built in, no request; against an always-open sandbox every instant is ``"regular"``."""
        from msgspec import structs

        from pykis.sessions import trading_hours

        hours = trading_hours(market)
        return structs.replace(hours, always_open=True) if self.always_open else hours

    @property
    def always_open(self) -> bool:
        """Whether the service is a sandbox that keeps every market open now (the emulator's always-open clock)."""
        return self._side_for(trading=False).auth.always_open

    def _now_flow(self, zone: tzinfo) -> Generator[Action, Any, datetime]:
        """The service's now in ``zone``, after hearing its time once (dates computed from it go on the wire)."""
        if not self.clock.synced:
            yield SyncClock(self._side_for(trading=False).environment)
        return self.clock.now(zone)

    _CLOCK_PROBE = HttpRequest("GET", "/", {})

    def now(self, zone: tzinfo | None = None) -> datetime:
        """The service's current time (Korea time unless ``zone`` is given), learned from its answers' ``Date``
        headers: a sandbox replaying a past day answers that day."""
        return self.clock.now(zone or _KST)

    def __repr__(self) -> str:
        sides = ", ".join(f"{s.environment.value}={s.auth.id!r}@{s.hosts.rest}" for s in self._sides.values())
        return f"{type(self).__name__}({sides}, account='{self.primary_account}')"


class PyKis(_ClientCore):
    """The blocking client.

    >>> kis = PyKis("secret.json", keep_token=True)                       # doctest: +SKIP
    >>> kis = PyKis("secret.json", "virtual_secret.json", keep_token=True)  # doctest: +SKIP

    Pass ``hosts=KisHosts(rest, websocket)`` (or set ``rest_url``/``ws_url`` in the secret file) to
    talk to a proxy or to the local emulator; pass ``gateway="nats://…"`` (and no secret) to go through a
    ``pykis gateway`` (:mod:`pykis.gateway`). Use it as a context manager, or call :meth:`close`.
    """

    _websocket: KisWebsocketClient | None = None

    def __init__(self, auth: SecretSource | None = None, virtual_auth: SecretSource | None = None, **kwargs: Any):
        super().__init__(auth, virtual_auth, **kwargs)
        from pykis._limiter import RateLimiter
        from pykis._sync.transport import SyncTransport
        from pykis._tokens import TokenManager
        from pykis._transport import TransportOptions

        options = TransportOptions(timeout=self._timeout, verify=self._verify)
        keyed = {} if self._gateway is not None else self._sides  # a gateway client sends nothing itself
        self._transports = {env: SyncTransport(side.hosts.rest, options) for env, side in keyed.items()}
        self._tokens = {
            env: TokenManager(
                env,
                side.auth.appkey,
                side.auth.secretkey,
                self._transports[env].send,
                host=side.hosts.rest,
                cache_dir=self._token_dir,
            )
            for env, side in keyed.items()
        }
        self._limiters = {
            env: RateLimiter(self._rate_stem(side), side.window, state_dir=self._rate_dir)
            for env, side in keyed.items()
        }

    def request(self, call: ApiCall) -> Envelope:
        """Perform one API call and return its envelope; raises a :class:`~pykis.errors.KisError`."""
        result: Envelope = self.run(self.request_flow(call))
        return result

    def paginate(self, call: ApiCall, *, max_pages: int = 100) -> Iterator[Envelope]:
        """Every page of a continued inquiry (``tr_cont`` + ``CTX_AREA_*``), at most ``max_pages``."""
        page: ApiCall | None = call
        for _ in range(max_pages):
            if page is None:
                return
            envelope = self.request(page)
            yield envelope
            page = next_page(page, envelope)

    def token(self, environment: Environment | None = None) -> AccessToken:
        """The access token of ``environment`` (default: the trading one), issuing it if needed."""
        self._keyed("access tokens")
        side = self._sides[environment] if environment else self._side_for(trading=True)
        return self._tokens[side.environment].current()

    def revoke(self) -> None:
        """Revoke every access token this client holds (``/oauth2/revokeP``)."""
        self._keyed("revoking tokens")
        for tokens in self._tokens.values():
            tokens.revoke()

    def approval_key(self, environment: Environment, *, renew: bool = False) -> str:
        """The WebSocket approval key of ``environment`` (``/oauth2/Approval``), cached until ``renew``."""
        self._keyed("the approval key")
        key = self._approvals.get(environment)
        if key is None or renew:
            side = self._side(environment)
            request = approval_request(side.auth.appkey, side.auth.secretkey)
            response = self._transports[environment].send(request)
            key = parse_approval(response)
            self._approvals[environment] = key
        return key

    @property
    def api(self) -> KisApi:
        """Every REST API and realtime TR of the KIS catalog, typed and generated (:mod:`pykis.api`):
        ``kis.api.domestic_stock.inquire_price(FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD="005930")``."""
        api = self.__dict__.get("_api")
        if api is None:
            from pykis.api import KisApi

            api = self.__dict__["_api"] = KisApi(self)
        return api

    @property
    def websocket(self) -> KisWebsocketClient:
        """The realtime client (:class:`~pykis.realtime.KisWebsocketClient`), created on first use; it
        connects on the first subscription."""
        if self._websocket is None:
            from pykis._sync.websocket import KisWebsocketClient

            if self._gateway is not None:
                from pykis.gateway.realtime import GatewayWebsocketClient as KisWebsocketClient

            self._websocket = KisWebsocketClient(self)
        return self._websocket

    def close(self) -> None:
        """Close the realtime connections and pooled HTTP connections."""
        client, self._websocket = self._websocket, None
        if client is not None:
            client.close()
        for transport in self._transports.values():
            transport.close()
        if self._gateway is not None:
            self._gateway.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def run(self, flow: Generator[Action, Any, T]) -> T:
        """Drive ``flow`` to its end, performing each action it yields; returns what the flow returns."""
        result: Any = None
        error: BaseException | None = None
        while True:
            try:
                action = flow.throw(error) if error is not None else flow.send(result)
            except StopIteration as stop:
                done: T = stop.value
                return done
            result, error = None, None
            try:
                result = self._perform(action)
            except Exception as exc:  # noqa: BLE001 — handed to the flow, which re-raises what it cannot handle
                error = exc

    def _perform(self, action: Action) -> Any:
        if isinstance(action, Relay):
            assert self._gateway is not None
            return self._gateway.request(action.call)
        if isinstance(action, Send):
            try:
                response = self._transports[action.environment].send(action.request)
                self.clock.observe(response.headers.get("date"))
                return response
            finally:
                if action.permit is not None:
                    self._limiters[action.environment].complete(action.permit)
        if isinstance(action, Throttle):
            return self._limiters[action.environment].acquire_blocking()
        if isinstance(action, GetToken):
            return self._tokens[action.environment].get(action.stale)
        if isinstance(action, Sleep):
            time.sleep(action.seconds)
            return None
        if isinstance(action, RateRefused):
            self._limiters[action.environment].refused()
            return None
        if isinstance(action, LoadMasters):
            for name in action.files:
                if name not in self._loaded_masters:
                    self._add_master(name, self._master_cache.fresh(name) or self._download_master(name))
            return self._index
        if isinstance(action, SyncClock):
            # Unheard (no answer, or a gateway client, which sends nothing itself): this machine's time stands.
            with contextlib.suppress(KisTransportError):
                if action.environment in self._transports:
                    self._perform(Send(action.environment, self._CLOCK_PROBE))
            self.clock.mark_synced()
            return None
        raise TypeError(f"unknown action {action!r}")

    def _download_master(self, name: str) -> bytes | None:
        import httpx

        try:
            with (
                httpx.Client(timeout=self._timeout, verify=self._verify, trust_env=False) as client,
                client.stream("GET", self._master_url(name)) as response,
            ):
                received = _MasterDownload(name, response.headers.get("content-length"))
                for chunk in response.iter_bytes():
                    received.add(chunk)
        except httpx.HTTPError as exc:
            return self._master_failed(name, exc)
        content = self._unpack_master(name, response.status_code, received.finish())
        if content is not None:
            self._master_cache.store(name, content)
        return content

    def stock(self, symbol: str, market: str | None = None) -> KisStock:
        """The stock ``symbol`` (``"005930"``, ``"NVDA"``…), its market resolved from the master files
        unless named. Raises :class:`~pykis.errors.KisNotFoundError` for an unknown symbol."""
        from pykis.scopes.resolve import resolve_flow
        from pykis.scopes.stock import KisStock

        return KisStock(self, self.run(resolve_flow(self, symbol, market)))

    def account(self, account: str | KisAccountNumber | None = None) -> KisAccount:
        """The account ``"NNNNNNNN-NN"`` (default: the primary account of the trading credentials)."""
        from pykis.scopes.account import KisAccount
        from pykis.scopes.orders.facts import account_of

        return KisAccount(self, account_of(self, account))

    def quotes(self, symbols: Iterable[str | StockBase], *, venue: Venue = "KRX") -> list[KisQuote]:
        """Quotes of many stocks, in input order. Domestic symbols go 30 to a FHKST11300006 call (those quotes
        carry prices, volume and limits but no indicators); overseas ones one HHDFS76200200 call each. The
        calls run on a few threads, within the shared rate limit."""
        from concurrent.futures import ThreadPoolExecutor

        from pykis.scopes.market import plan_quotes
        from pykis.scopes.stock import StockBase

        stocks = [item if isinstance(item, StockBase) else self.stock(item) for item in symbols]
        plan = plan_quotes(self, stocks, venue)
        if len(plan.parts) <= 1:
            return plan.assemble([self.run(make()) for _, make in plan.parts])
        with ThreadPoolExecutor(max_workers=min(8, len(plan.parts)), thread_name_prefix="pykis-quotes") as pool:
            results = list(pool.map(lambda part: self.run(part[1]()), plan.parts))
        return plan.assemble(results)

    def search(self, text: str, *, limit: int = 20, markets: Iterable[str] | None = None) -> list[MasterRow]:
        """Listings whose code, Korean or English name contains ``text`` (exact, then prefix, then substring
        matches), over the master files of ``markets`` (default: every market)."""
        from pykis.scopes.market import search_flow

        result: list[MasterRow] = self.run(search_flow(text, limit, markets))
        return result

    def is_trading_day(self, market: str, day: date | None = None) -> bool:
        """Whether ``market`` trades on ``day`` (default: today there). KRX asks CTCA0903R (real service,
        kept for the client's lifetime); other markets use the built-in calendars."""
        from pykis.scopes.market import trading_day_flow

        result: bool = self.run(trading_day_flow(self, market, day))
        return result


class AsyncPyKis(_ClientCore):
    """The asyncio client: the same arguments and operations as :class:`PyKis`, as coroutines.

    >>> async with AsyncPyKis("secret.json") as kis:                     # doctest: +SKIP
    ...     envelope = await kis.request(call)
    """

    _websocket: AsyncKisWebsocketClient | None = None

    def __init__(self, auth: SecretSource | None = None, virtual_auth: SecretSource | None = None, **kwargs: Any):
        super().__init__(auth, virtual_auth, **kwargs)
        from pykis._async.transport import AsyncTransport
        from pykis._limiter import RateLimiter
        from pykis._tokens import TokenManager
        from pykis._transport import TransportOptions

        options = TransportOptions(timeout=self._timeout, verify=self._verify)
        keyed = {} if self._gateway is not None else self._sides  # a gateway client sends nothing itself
        self._transports = {env: AsyncTransport(side.hosts.rest, options) for env, side in keyed.items()}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tokens = {
            env: TokenManager(
                env,
                side.auth.appkey,
                side.auth.secretkey,
                self._blocking_sender(env),
                host=side.hosts.rest,
                cache_dir=self._token_dir,
            )
            for env, side in keyed.items()
        }
        self._limiters = {
            env: RateLimiter(self._rate_stem(side), side.window, state_dir=self._rate_dir)
            for env, side in keyed.items()
        }

    def _blocking_sender(self, environment: Environment) -> Any:
        """A blocking send for token issues, which run in a worker thread (they take cross-process
        locks); it hands the request to the event loop's pooled transport and waits for the answer."""

        def send(request: HttpRequest) -> HttpResponse:
            assert self._loop is not None
            future = asyncio.run_coroutine_threadsafe(self._transports[environment].send(request), self._loop)
            return future.result()

        return send

    async def request(self, call: ApiCall) -> Envelope:
        """Perform one API call and return its envelope; raises a :class:`~pykis.errors.KisError`."""
        result: Envelope = await self.run(self.request_flow(call))
        return result

    async def paginate(self, call: ApiCall, *, max_pages: int = 100) -> AsyncIterator[Envelope]:
        """Every page of a continued inquiry (``tr_cont`` + ``CTX_AREA_*``), at most ``max_pages``."""
        page: ApiCall | None = call
        for _ in range(max_pages):
            if page is None:
                return
            envelope = await self.request(page)
            yield envelope
            page = next_page(page, envelope)

    async def token(self, environment: Environment | None = None) -> AccessToken:
        """The access token of ``environment`` (default: the trading one), issuing it if needed."""
        self._keyed("access tokens")
        side = self._sides[environment] if environment else self._side_for(trading=True)
        self._loop = asyncio.get_running_loop()
        return await asyncio.to_thread(self._tokens[side.environment].current)

    async def revoke(self) -> None:
        """Revoke every access token this client holds (``/oauth2/revokeP``)."""
        self._keyed("revoking tokens")
        self._loop = asyncio.get_running_loop()
        for tokens in self._tokens.values():
            await asyncio.to_thread(tokens.revoke)

    async def approval_key(self, environment: Environment, *, renew: bool = False) -> str:
        """The WebSocket approval key of ``environment`` (``/oauth2/Approval``), cached until ``renew``."""
        self._keyed("the approval key")
        key = self._approvals.get(environment)
        if key is None or renew:
            side = self._side(environment)
            request = approval_request(side.auth.appkey, side.auth.secretkey)
            response = await self._transports[environment].send(request)
            key = parse_approval(response)
            self._approvals[environment] = key
        return key

    @property
    def api(self) -> AsyncKisApi:
        """Every REST API and realtime TR of the KIS catalog, typed and generated (:mod:`pykis.api`):
        ``await kis.api.domestic_stock.inquire_price(FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD="005930")``."""
        api = self.__dict__.get("_api")
        if api is None:
            from pykis.api import AsyncKisApi

            api = self.__dict__["_api"] = AsyncKisApi(self)
        return api

    @property
    def websocket(self) -> AsyncKisWebsocketClient:
        """The realtime client (:class:`~pykis.realtime.AsyncKisWebsocketClient`), created on first use; it
        connects on the first subscription."""
        if self._websocket is None:
            from pykis._async.websocket import AsyncKisWebsocketClient

            if self._gateway is not None:
                from pykis.gateway.realtime import AsyncGatewayWebsocketClient as AsyncKisWebsocketClient

            self._websocket = AsyncKisWebsocketClient(self)
        return self._websocket

    async def close(self) -> None:
        """Close the realtime connections and pooled HTTP connections."""
        client, self._websocket = self._websocket, None
        if client is not None:
            await client.close()
        for transport in self._transports.values():
            await transport.close()
        if self._gateway is not None:
            await asyncio.to_thread(self._gateway.close)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.close()

    async def run(self, flow: Generator[Action, Any, T]) -> T:
        """Drive ``flow`` to its end, performing each action it yields; returns what the flow returns."""
        result: Any = None
        error: BaseException | None = None
        while True:
            try:
                action = flow.throw(error) if error is not None else flow.send(result)
            except StopIteration as stop:
                done: T = stop.value
                return done
            result, error = None, None
            try:
                result = await self._perform(action)
            except Exception as exc:  # noqa: BLE001 — handed to the flow, which re-raises what it cannot handle
                error = exc

    async def _perform(self, action: Action) -> Any:
        if isinstance(action, Relay):
            assert self._gateway is not None
            return await self._gateway.arequest(action.call)
        if isinstance(action, Send):
            try:
                response = await self._transports[action.environment].send(action.request)
                self.clock.observe(response.headers.get("date"))
                return response
            finally:
                if action.permit is not None:
                    self._limiters[action.environment].complete(action.permit)
        if isinstance(action, Throttle):
            return await self._limiters[action.environment].acquire()
        if isinstance(action, GetToken):
            tokens = self._tokens[action.environment]
            token = tokens.peek()
            if token is not None and token != action.stale:
                return token
            self._loop = asyncio.get_running_loop()
            return await asyncio.to_thread(tokens.get, action.stale)
        if isinstance(action, Sleep):
            await asyncio.sleep(action.seconds)
            return None
        if isinstance(action, RateRefused):
            self._limiters[action.environment].refused()
            return None
        if isinstance(action, LoadMasters):
            for name in action.files:
                if name not in self._loaded_masters:
                    content = await asyncio.to_thread(self._master_cache.fresh, name)
                    self._add_master(name, content or await self._download_master(name))
            return self._index
        if isinstance(action, SyncClock):
            # Unheard (no answer, or a gateway client, which sends nothing itself): this machine's time stands.
            with contextlib.suppress(KisTransportError):
                if action.environment in self._transports:
                    await self._perform(Send(action.environment, self._CLOCK_PROBE))
            self.clock.mark_synced()
            return None
        raise TypeError(f"unknown action {action!r}")

    async def _download_master(self, name: str) -> bytes | None:
        import httpx

        try:
            async with (
                httpx.AsyncClient(timeout=self._timeout, verify=self._verify, trust_env=False) as client,
                client.stream("GET", self._master_url(name)) as response,
            ):
                received = _MasterDownload(name, response.headers.get("content-length"))
                async for chunk in response.aiter_bytes():
                    received.add(chunk)
        except httpx.HTTPError as exc:
            return self._master_failed(name, exc)
        content = self._unpack_master(name, response.status_code, received.finish())
        if content is not None:
            await asyncio.to_thread(self._master_cache.store, name, content)
        return content

    async def stock(self, symbol: str, market: str | None = None) -> AsyncKisStock:
        """The stock ``symbol``, resolved as :meth:`PyKis.stock` does."""
        from pykis.scopes.resolve import resolve_flow
        from pykis.scopes.stock import AsyncKisStock

        return AsyncKisStock(self, await self.run(resolve_flow(self, symbol, market)))

    def account(self, account: str | KisAccountNumber | None = None) -> AsyncKisAccount:
        """The account ``"NNNNNNNN-NN"`` (default: the primary account); no request is made."""
        from pykis.scopes.account import AsyncKisAccount
        from pykis.scopes.orders.facts import account_of

        return AsyncKisAccount(self, account_of(self, account))

    async def quotes(self, symbols: Iterable[str | StockBase], *, venue: Venue = "KRX") -> list[KisQuote]:
        """Quotes of many stocks in input order, as :meth:`PyKis.quotes`; the calls run concurrently."""
        from pykis.scopes.market import plan_quotes
        from pykis.scopes.stock import StockBase

        stocks = [item if isinstance(item, StockBase) else await self.stock(item) for item in symbols]
        plan = plan_quotes(self, stocks, venue)
        results = await asyncio.gather(*(self.run(make()) for _, make in plan.parts))
        return plan.assemble(results)

    async def search(self, text: str, *, limit: int = 20, markets: Iterable[str] | None = None) -> list[MasterRow]:
        """Listings matching ``text`` over the master files (see :meth:`PyKis.search`)."""
        from pykis.scopes.market import search_flow

        result: list[MasterRow] = await self.run(search_flow(text, limit, markets))
        return result

    async def is_trading_day(self, market: str, day: date | None = None) -> bool:
        """Whether ``market`` trades on ``day`` (see :meth:`PyKis.is_trading_day`)."""
        from pykis.scopes.market import trading_day_flow

        result: bool = await self.run(trading_day_flow(self, market, day))
        return result

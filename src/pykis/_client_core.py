"""What :class:`~pykis.PyKis` and :class:`~pykis.AsyncPyKis` share: configuration, and every operation written
once as a flow. The two drivers only perform the I/O a flow asks for (:data:`Step`), blocking or awaited."""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterable
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar, Unpack

import msgspec

from pykis._client_config import (
    ClientOptions,
    SecretSource,
    cache_root,
    check_options,
    credentials,
    default_cache_dir,
    token_dir,
    warn_if_plain,
)
from pykis.auth import KisAccountNumber, KisAuth
from pykis.drivers.limiter import RateLimiter
from pykis.drivers.tokens import TokenManager, Transport
from pykis.drivers.transport import TransportOptions
from pykis.errors import KisCredentialError, KisTransportError, KisValidationError
from pykis.exchanges.masters import MasterCache, SymbolIndex
from pykis.protocol.clock import KST, ServiceClock
from pykis.protocol.env import Environment, KisHosts
from pykis.protocol.flow import Action, LoadMasters, Send, SyncClock, call_flow, relay_flow
from pykis.protocol.http import HttpRequest
from pykis.protocol.paging import next_page
from pykis.protocol.ratelimit import RateWindow
from pykis.protocol.request import ApiCall, Credentials
from pykis.protocol.retry import RetryPolicy
from pykis.protocol.token import approval_request, cache_key, parse_approval

if TYPE_CHECKING:
    from datetime import date
    from decimal import Decimal

    from pykis.drivers.journal import OrderJournal
    from pykis.exchanges.masters import MasterRow
    from pykis.exchanges.sessions import KisTradingHours
    from pykis.gateway.link import GatewayLink
    from pykis.gateway.wire import NatsOptions
    from pykis.models.quote import KisQuote
    from pykis.protocol.envelope import Envelope
    from pykis.scopes.stock import StockBase, Venue

__all__ = ["FlowDrive", "Offload", "PageCursor", "Step", "_ClientCore", "_TwinCore"]

T = TypeVar("T")
W = TypeVar("W")  # the driver's realtime client


class Offload(msgspec.Struct, frozen=True):
    """Call ``function(*args)``, a blocking local call (disk): inline when blocking, in a worker thread on asyncio."""

    function: Callable[..., Any]
    args: tuple[Any, ...] = ()


class FetchMaster(msgspec.Struct, frozen=True):
    """Download and unzip a master archive (:mod:`pykis.drivers.masters_fetch`); the answer is its content, or ``None``
    (logged) when it could not be had."""

    name: str
    url: str


class Gather(msgspec.Struct, frozen=True):
    """Run independent flows side by side (threads when blocking, tasks on asyncio); the answer lists their
    results in order."""

    flows: tuple[Generator[Action, Any, Any], ...]


Step = Action | Offload | FetchMaster | Gather
"""What a client flow may ask its driver for: the protocol's actions and the client's own I/O."""


class FlowDrive(Generic[T]):
    """The bookkeeping of driving one flow, shared by both drivers: the next step, and what the last one gave."""

    __slots__ = ("error", "flow", "result", "value")

    def __init__(self, flow: Generator[Step, Any, T]) -> None:
        self.flow = flow
        self.result: Any = None
        self.error: BaseException | None = None

    def next(self) -> Step | None:
        """The next step to perform, or ``None`` when the flow has ended (its result is then :attr:`value`)."""
        try:
            step = self.flow.throw(self.error) if self.error is not None else self.flow.send(self.result)
        except StopIteration as stop:
            self.value: T = stop.value
            return None
        self.result, self.error = None, None
        return step


class PageCursor:
    """The pages of a continued inquiry (``tr_cont`` + ``CTX_AREA_*``): iterate for the next call, :meth:`seen`
    each envelope."""

    def __init__(self, call: ApiCall, max_pages: int) -> None:
        self._page: ApiCall | None = call
        self._left = max_pages

    def __iter__(self) -> PageCursor:
        return self

    def __next__(self) -> ApiCall:
        if self._page is None or self._left <= 0:
            raise StopIteration
        self._left -= 1
        return self._page

    def seen(self, envelope: Envelope) -> None:
        """The answer to the page just asked for."""
        assert self._page is not None
        self._page = next_page(self._page, envelope)


class _Side(msgspec.Struct):
    """Everything one environment (real or virtual) needs at run time."""

    environment: Environment
    auth: KisAuth
    hosts: KisHosts
    credentials: Credentials
    window: RateWindow


class _ClientCore:
    """Configuration shared by :class:`PyKis` and :class:`AsyncPyKis`, and their operations as flows; no I/O."""

    _blocking: bool
    """Which twin this is: the blocking client (its realtime client runs a thread) or the asyncio one (a task)."""

    def __init__(
        self,
        auth: SecretSource | None = None,
        virtual_auth: SecretSource | None = None,
        **options: Unpack[ClientOptions],
    ) -> None:
        check_options(options)
        self._gateway: GatewayLink | None = None
        gateway = options.get("gateway")
        if gateway is not None:
            given = (auth, virtual_auth, *(options.get(key) for key in ("id", "appkey", "secretkey")))
            real, virtual = self._through_gateway(gateway, *given)
        else:
            real, virtual = credentials(auth, virtual_auth, options)
        self._sides: dict[Environment, _Side] = {}
        for environment, chosen, custom_hosts, limit in (
            (Environment.REAL, real, options.get("hosts"), options.get("rate_limit")),
            (Environment.VIRTUAL, virtual, options.get("virtual_hosts"), options.get("virtual_rate_limit")),
        ):
            if chosen is None:
                continue
            default = KisHosts.default(environment)
            side_hosts = custom_hosts or KisHosts(chosen.rest_url or default.rest, chosen.ws_url or default.websocket)
            credentials_ = Credentials(chosen.appkey, chosen.secretkey)
            window = RateWindow(limit or environment.default_rate)
            self._sides[environment] = _Side(environment, chosen, side_hosts, credentials_, window)
        self._token_dir = token_dir(options.get("keep_token", True))
        # Beside the token folder (os.path, not pathlib, on a cold start: see pykis._files.StrPath).
        tokens = os.path.normpath(self._token_dir or os.path.join(cache_root(), "tokens"))
        self._rate_dir = os.path.join(os.path.dirname(tokens), "ratelimit")
        if not options.get("share_rate_limit", True):
            self._rate_dir = None  # type: ignore[assignment]
        self._retry = options.get("retry") or RetryPolicy()
        self._timeout = options.get("timeout", 10.0)
        self._verify = options.get("verify", True)
        for side in self._sides.values():
            warn_if_plain(side.hosts.rest, self._verify)
        self._approvals: dict[Environment, str] = {}
        self._index = SymbolIndex()
        self._loaded_masters: set[str] = set()
        self.clock = options.get("clock") or ServiceClock()
        """The service's time (learned from its answers' ``Date`` headers); every scope asks it for "now"."""
        self._master_cache = MasterCache(os.path.join(cache_root(), "masters"), self.clock.timestamp)
        self._krx_open_days: dict[date, bool] = {}  # CTCA0903R answers, kept (the broker asks ~1 call a day)
        self.price_limits: dict[str, tuple[date, tuple[Decimal, Decimal, Decimal]]] = {}
        """Each domestic stock's (lower, upper, last) price of the day they were asked; the order checks read them."""
        # A gateway client sends nothing itself: it has no transport, token or limiter of its own.
        keyed = {} if self._gateway is not None else self._sides
        self._limiters = {
            env: RateLimiter(
                cache_key(env, side.auth.appkey, side.hosts.rest)[0], side.window, state_dir=self._rate_dir
            )
            for env, side in keyed.items()
        }
        self._connect(TransportOptions(timeout=self._timeout, verify=self._verify))

    _journal: OrderJournal | None = None

    @property
    def journal(self) -> OrderJournal:
        """The order journal: every order written down before it is sent (``<cache>/orders``,
        :mod:`pykis.drivers.journal`)."""
        if self._journal is None:
            # Loaded with the first order, not with a quote (a cold script's first quote stays light).
            from pykis.drivers.journal import OrderJournal  # noqa: PLC0415

            self._journal = OrderJournal(default_cache_dir() / "orders", self.clock.now)
        return self._journal

    @journal.setter
    def journal(self, journal: OrderJournal) -> None:
        self._journal = journal

    def _connect(self, options: TransportOptions) -> None:
        """Open the driver's transports (one per environment it sends to) and token managers."""
        raise NotImplementedError

    def _token_managers(self, sends: dict[Environment, Transport | None]) -> dict[Environment, TokenManager]:
        """One token manager per keyed environment; ``sends`` gives each its blocking send (asyncio: none)."""
        return {
            env: TokenManager(
                env,
                self._sides[env].auth.appkey,
                self._sides[env].auth.secretkey,
                send,
                host=self._sides[env].hosts.rest,
                cache_dir=self._token_dir,
            )
            for env, send in sends.items()
        }

    def _rest_hosts(self) -> list[tuple[Environment, str]]:
        """The REST host of each environment this client sends to itself."""
        return [(env, self._sides[env].hosts.rest) for env in self._limiters]

    def _once(self, name: str, factory: Callable[[Self], T]) -> T:
        """``factory(self)``, made on first use and kept under ``name``."""
        value: T | None = self.__dict__.get(name)
        if value is None:
            value = self.__dict__[name] = factory(self)
        return value

    def _realtime_client(self, *, sync: bool) -> type[Any]:
        """The realtime client class of this driver: over the gateway's NATS link, or a WebSocket of its own."""
        # Local imports: the realtime stack (websockets, crypto) loads on the first subscription.
        if self._gateway is not None:
            from pykis.gateway.realtime import AsyncGatewayWebsocketClient, GatewayWebsocketClient  # noqa: PLC0415

            return GatewayWebsocketClient if sync else AsyncGatewayWebsocketClient
        if sync:
            from pykis.drivers.websocket_blocking import KisWebsocketClient  # noqa: PLC0415

            return KisWebsocketClient
        from pykis.drivers.websocket_asyncio import AsyncKisWebsocketClient  # noqa: PLC0415

        return AsyncKisWebsocketClient

    def _through_gateway(self, gateway: str | NatsOptions, *given: object) -> tuple[KisAuth | None, KisAuth | None]:
        """Connect to a gateway (:mod:`pykis.gateway`); the client then holds no secret, only stand-ins naming
        the gateway's accounts."""
        if any(value is not None for value in given):
            raise KisCredentialError("a gateway client takes no secret: the gateway holds the keys")
        from pykis.gateway.link import GatewayLink, gateway_options  # noqa: PLC0415 — NATS only for gateway clients

        self._gateway = GatewayLink(gateway_options(gateway))
        return self._gateway.auths()

    def _keyed(self, what: str) -> None:
        """Refuse what only a client holding the keys can do."""
        if self._gateway is not None:
            raise KisValidationError(f"{what} stays with the gateway: a gateway client holds no key or token")

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

    def _token_manager(self, environment: Environment | None) -> TokenManager:
        """The token manager of ``environment`` (default: the trading one)."""
        self._keyed("access tokens")
        side = self._sides[environment] if environment else self._side_for(trading=True)
        return self._tokens[side.environment]

    _tokens: dict[Environment, TokenManager]

    def _revocable(self) -> list[TokenManager]:
        self._keyed("revoking tokens")
        return list(self._tokens.values())

    def _approval_flow(self, environment: Environment, renew: bool) -> Generator[Step, Any, str]:
        """The WebSocket approval key of ``environment`` (``/oauth2/Approval``), cached until ``renew``."""
        self._keyed("the approval key")
        key = self._approvals.get(environment)
        if key is None or renew:
            side = self._side(environment)
            response = yield Send(environment, approval_request(side.auth.appkey, side.auth.secretkey))
            key = self._approvals[environment] = parse_approval(response)
        return key

    # -- composite actions: performed as flows of simpler steps ---------------------------------------
    def _expand(self, action: Step) -> Generator[Step, Any, Any] | None:
        """The flow that performs ``action``, or ``None`` when the driver performs it itself."""
        if isinstance(action, LoadMasters):
            return self._masters_flow(action.files)
        if isinstance(action, SyncClock):
            return self._sync_clock_flow(action.environment)
        return None

    def _masters_flow(self, files: Iterable[str]) -> Generator[Step, Any, SymbolIndex]:
        """Index each master file not yet loaded: from the cache when fresh, else downloaded (and cached)."""
        for name in files:
            if name in self._loaded_masters:
                continue
            # Read on the caller's thread, on asyncio too: a page-cached read of a few MB takes ~0.1 ms, less than
            # the byte search that then runs on the loop (~0.9 ms for 3 MB) and than a cold process's first worker
            # thread (~1.5 ms: the executor's import and start, and its join at exit). The write stays offloaded.
            content = self._master_cache.fresh(name)
            if content is None:
                url = f"{self._side_for(trading=False).hosts.masters_url}/{name}.zip"
                content = yield FetchMaster(name, url)
                if content is not None:
                    yield Offload(self._master_cache.store, (name, content))
            self._loaded_masters.add(name)
            if content is not None:
                self._index.add_file(name, content)
        return self._index

    _CLOCK_PROBE = HttpRequest("GET", "/", {})

    def _sync_clock_flow(self, environment: Environment) -> Generator[Step, Any, None]:
        """Hear the service's time once; unheard (no answer, or a gateway client, which sends nothing itself),
        this machine's time stands."""
        if environment in self._limiters:
            try:
                yield Send(environment, self._CLOCK_PROBE)
            except KisTransportError:
                pass
        self.clock.mark_synced()

    def _quotes_flow(self, symbols: Iterable[str | StockBase], venue: Venue) -> Generator[Step, Any, list[KisQuote]]:
        """Quotes of many stocks, in input order: the symbols resolved, then the plan's calls side by side."""
        from pykis.scopes.market import plan_quotes  # noqa: PLC0415 — scopes import the client (type cycle)
        from pykis.scopes.stock import StockBase  # noqa: PLC0415

        stocks: list[StockBase] = []
        for item in symbols:
            stocks.append(
                item if isinstance(item, StockBase) else StockBase(self, (yield from self._resolve_flow(item)))
            )
        plan = plan_quotes(self, stocks, venue)
        results = yield Gather(tuple(make() for _, make in plan.parts))
        return plan.assemble(results)

    def _search_flow(
        self, text: str, limit: int, markets: Iterable[str] | None
    ) -> Generator[Action, Any, list[MasterRow]]:
        from pykis.scopes.market import search_flow  # noqa: PLC0415

        return search_flow(text, limit, markets)

    def _trading_day_flow(self, market: str, day: date | None) -> Generator[Action, Any, bool]:
        from pykis.scopes.market import trading_day_flow  # noqa: PLC0415

        return trading_day_flow(self, market, day)

    def _resolve_flow(self, symbol: str, market: str | None = None) -> Generator[Action, Any, MasterRow]:
        from pykis.scopes.resolve import resolve_flow  # noqa: PLC0415

        return resolve_flow(self, symbol, market)

    def _account_number(self, account: str | KisAccountNumber | None) -> KisAccountNumber:
        from pykis.scopes.orders.facts import account_of  # noqa: PLC0415

        return account_of(self, account)

    # ----------------------------------------------------------------------------------------
    def trading_hours(self, market: str) -> KisTradingHours:
        """The sessions of ``market`` (``"KRX"``, ``"NXT"``, ``"NASDAQ"``…); ``hours.session(kis.now())`` names the
        current one. Built in, no request; against an always-open sandbox every instant is ``"regular"``."""
        from msgspec import structs  # noqa: PLC0415 — sessions load on first use

        from pykis.exchanges.sessions import trading_hours  # noqa: PLC0415

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

    def now(self, zone: tzinfo | None = None) -> datetime:
        """The service's current time (Korea time unless ``zone`` is given), learned from its answers' ``Date``
        headers: a sandbox replaying a past day answers that day."""
        return self.clock.now(zone or KST)

    def __repr__(self) -> str:
        sides = ", ".join(f"{s.environment.value}={s.auth.id!r}@{s.hosts.rest}" for s in self._sides.values())
        return f"{type(self).__name__}({sides}, account='{self.primary_account}')"


class _TwinCore(_ClientCore, Generic[W]):
    """What the two clients share that is typed by their driver: the realtime client."""

    _websocket: W | None = None

    @property
    def websocket(self) -> W:
        """The realtime client (:class:`~pykis.realtime.KisWebsocketClient`, or its asyncio twin for
        :class:`~pykis.AsyncPyKis`), created on first use; it connects on the first subscription."""
        if self._websocket is None:
            self._websocket = self._realtime_client(sync=self._blocking)(self)
        return self._websocket

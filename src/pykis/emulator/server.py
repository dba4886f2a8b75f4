"""The emulator process: one asyncio server with a REST and a WebSocket listener per environment.

:class:`EmulatorServer` wires the gateway, the endpoint registry, the WebSocket hubs, the fault controls
and the domain's market together, binds the listeners (loopback, port 0 = ephemeral by default) and
writes a secret file per environment that records the listener URLs, so ``PyKis("secret.json")`` reaches
the emulator unchanged. :class:`pykis.emulator.Emulator` runs it in a thread or on the running loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import itertools
import json
import logging
import secrets
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from aiohttp import web

from pykis.emulator.accounts import open_demo_accounts
from pykis.emulator.clock import FrozenClock, ScaledClock, SystemClock
from pykis.emulator.endpoints import default_registry
from pykis.emulator.engine import Engine
from pykis.emulator.faults import Faults, admin_app
from pykis.emulator.gateway import (
    ENVIRONMENTS,
    AppCredential,
    EnvName,
    Gateway,
    GatewayError,
    GatewayLimits,
    demo_credentials,
)
from pykis.emulator.listeners import Listeners, default_max_connections
from pykis.emulator.market import Market
from pykis.emulator.realtime import RealtimePublisher
from pykis.emulator.rest import FAULT_DELAY, EmulatorContext, EndpointRegistry, RestService, json_response
from pykis.emulator.ws import MAX_SUBSCRIPTIONS, WsHub, ws_app

if TYPE_CHECKING:
    from pykis.auth import KisAuth
    from pykis.emulator.clock import Clock
    from pykis.emulator.market import Market
    from pykis.emulator.realtime import RealtimePublisher

__all__ = ["ClockMode", "EmulatorConfig", "EmulatorServer", "EnvironmentInfo"]

log = logging.getLogger("pykis.emulator")

ClockMode = Literal["always-open", "real", "accelerated", "frozen"]
CLOCK_MODES: tuple[ClockMode, ...] = ("always-open", "real", "accelerated", "frozen")
SECRET_FILES: dict[EnvName, str] = {"real": "secret.json", "virtual": "virtual_secret.json"}
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


@dataclass(frozen=True, slots=True)
class EmulatorConfig:
    """Everything the emulator can be told. The defaults are the real service's rules on loopback.

    ``clock``: ``always-open`` (real time, every market open — the default for demos and tests),
    ``real`` (real time, real sessions and holidays), ``accelerated`` (from ``start``, ``speed`` simulated
    seconds per real second) or ``frozen`` (stands at ``start`` until moved; see ``Emulator.clock``).
    Durations are seconds.
    """

    host: str = "127.0.0.1"
    real_rest_port: int = 0
    real_ws_port: int = 0
    virtual_rest_port: int = 0
    virtual_ws_port: int = 0
    admin: bool = False
    admin_port: int = 0
    clock: ClockMode = "always-open"
    start: datetime | None = None
    speed: float = 60.0
    seed: int = 20240101
    real_rate: int = 20
    virtual_rate: int = 2
    token_lifetime: float = 86_400.0
    token_reuse: float = 6 * 3600.0
    token_issue_interval: float = 60.0
    approval_lifetime: float = 86_400.0
    heartbeat_interval: float = 10.0
    max_subscriptions: int = MAX_SUBSCRIPTIONS
    # Realtime: price and order-book records per second per subscribed (TR, key), execution notices from
    # the matching engine; ``legacy_widths`` sends the layouts before 2026-09-14 (46/59 fields).
    realtime: bool = True
    realtime_rate: float = 5.0
    legacy_widths: bool = False
    state_file: Path | None = None
    secrets_dir: Path | None = None
    # A request head must arrive within header_timeout seconds; max_connections (0: from the descriptor
    # limit) bounds the connections open over every listener.
    header_timeout: float = 20.0
    max_connections: int = 0

    def __post_init__(self) -> None:
        if self.clock not in CLOCK_MODES:
            raise ValueError(f"clock must be one of {', '.join(CLOCK_MODES)}, got {self.clock!r}")
        for name in ("real_rest_port", "real_ws_port", "virtual_rest_port", "virtual_ws_port", "admin_port"):
            port = getattr(self, name)
            if not 0 <= port <= 65535:
                raise ValueError(f"{name} must be 0..65535, got {port}")
        if self.real_rate < 1 or self.virtual_rate < 1:
            raise ValueError("rate limits must be at least 1 request per second")
        if self.speed <= 0 or self.heartbeat_interval <= 0:
            raise ValueError("speed and heartbeat_interval must be positive")
        if (
            min(self.token_lifetime, self.approval_lifetime) <= 0
            or min(self.token_reuse, self.token_issue_interval) < 0
        ):
            raise ValueError("token lifetimes must be positive")
        if self.max_subscriptions < 1:
            raise ValueError("max_subscriptions must be at least 1")
        if self.realtime_rate <= 0:
            raise ValueError("realtime_rate must be positive")
        if self.header_timeout <= 0 or self.max_connections < 0:
            raise ValueError("header_timeout must be positive and max_connections not negative")

    def limits(self) -> GatewayLimits:
        """The gateway's timing rules."""
        return GatewayLimits(
            token_lifetime=timedelta(seconds=self.token_lifetime),
            token_reuse=timedelta(seconds=self.token_reuse),
            token_issue_interval=timedelta(seconds=self.token_issue_interval),
            approval_lifetime=timedelta(seconds=self.approval_lifetime),
            real_rate=self.real_rate,
            virtual_rate=self.virtual_rate,
        )

    def make_clock(self) -> Clock:
        """The clock the mode asks for."""
        if self.clock in ("always-open", "real"):
            return SystemClock()
        start = self.start or datetime.now(UTC)
        if self.clock == "frozen":
            return FrozenClock(start)
        return ScaledClock(start, self.speed)


@dataclass(frozen=True, slots=True)
class EnvironmentInfo:
    """One environment of a running emulator: where it listens and the demo account that can use it."""

    name: EnvName
    rest_url: str
    ws_url: str
    app: AppCredential
    secret_file: Path
    auth: KisAuth = field(repr=False)

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` form: URLs, the demo credentials and the secret file."""
        return {
            "rest_url": self.rest_url,
            "ws_url": self.ws_url,
            "id": self.app.hts_id,
            "appkey": self.app.appkey,
            "secretkey": self.app.appsecret,
            "account": self.app.account,
            "secret_file": str(self.secret_file),
        }


def _rest_fault_middleware(env: EnvName, faults: Faults) -> Any:
    @web.middleware
    async def middleware(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        taken = faults.take(env, request.path)
        delay = taken.get("delay")
        if delay is not None:
            # The request arrived whole and is processed late (a slow trading system), even if the
            # client has given up waiting by then: an order held this way is still placed. The gateway
            # admits (and counts) an API call on arrival, as KIS does; the hold comes after it.
            await request.read()
            if request.path.startswith("/uapi/"):
                request[FAULT_DELAY] = delay.seconds
            else:
                await asyncio.sleep(delay.seconds)
        fail = taken.get("fail")
        if fail is not None:
            error = GatewayError(fail.code or "EGW00002")
            body = error.body()
            if fail.code is None:
                body["msg1"] = GatewayError("EGW00002").message
            return json_response(body, status=fail.status, tr_cont="")
        response = await handler(request)
        hostile = taken.get("hostile")
        if hostile is not None:
            return await _hostile_reply(request, response, hostile.variant, hostile.size)
        if "drop" in taken:
            # The request was processed (an order would be placed); the reply never arrives.
            transport = request.transport
            if isinstance(transport, asyncio.Transport):
                transport.abort()
            raise asyncio.CancelledError
        return response

    return middleware


async def _hostile_reply(
    request: web.Request, response: web.StreamResponse, kind: str, size: int
) -> web.StreamResponse:
    """The processed ``response``, answered badly (``Faults.hostile_rest``)."""
    body = response.body if isinstance(response, web.Response) and isinstance(response.body, bytes) else b"{}"
    if kind == "wrong_content_type":
        page = b"<html><head><title>502 Bad Gateway</title></head><body>upstream unavailable</body></html>"
        return web.Response(body=page, status=200, content_type="text/html")
    if kind == "garbage_json":
        return web.Response(body=body[: max(1, len(body) // 2)], status=200, content_type="application/json")
    if kind == "huge":
        # Still the real answer: one extra field pads it to ``size`` bytes.
        pad = max(0, size - len(body) - 12)
        padded = body[:-1] + b',"pad":"' + b"x" * pad + b'"}' if body.endswith(b"}") else body
        return web.Response(body=padded, status=200, content_type="application/json")
    # truncated: promise the whole body, send half of it, close the connection.
    stream = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
    stream.content_length = len(body) + 64
    await stream.prepare(request)
    await stream.write(body[: len(body) // 2])
    transport = request.transport
    if isinstance(transport, asyncio.Transport):
        transport.abort()
    raise asyncio.CancelledError


class EmulatorServer:
    """Both environments' listeners around one gateway, one market and one set of fault controls."""

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        *,
        clock: Clock | None = None,
        market: Market | None = None,
        registry: EndpointRegistry | None = None,
    ) -> None:
        self.config = config or EmulatorConfig()
        self.clock: Clock = clock or self.config.make_clock()
        if market is None:
            market = Market(self.clock, seed=self.config.seed, always_open=self.config.clock == "always-open")
        self.market = market
        apps = [demo_credentials(self.config.seed, env) for env in ENVIRONMENTS]
        self.apps: dict[EnvName, AppCredential] = {app.env: app for app in apps}
        self.gateway = Gateway(apps, now=self.clock.now, limits=self.config.limits())
        self.registry = registry or default_registry(self.gateway.catalog)
        self.faults = Faults()
        self.hubs: dict[EnvName, WsHub] = {
            env: WsHub(
                env,
                self.gateway,
                heartbeat_interval=self.config.heartbeat_interval,
                max_subscriptions=self.config.max_subscriptions,
                heartbeats_enabled=lambda: self.faults.heartbeats,
            )
            for env in ENVIRONMENTS
        }
        self.contexts: dict[EnvName, EmulatorContext] = {
            env: EmulatorContext(self.gateway, self.market, self.registry, self.faults) for env in ENVIRONMENTS
        }
        # One matching engine for both environments; each app trades only its own account.
        self.engine = Engine(self.market)
        self._use_engine(self.engine)
        self.environments: dict[EnvName, EnvironmentInfo] = {}
        self.admin_url: str | None = None
        self.admin_token = secrets.token_urlsafe(24)
        """Required as ``Authorization: Bearer <token>`` on every admin call; printed at start."""
        self.state: Any = None
        self.publisher: RealtimePublisher | None = None
        self._listeners = Listeners(
            header_timeout=self.config.header_timeout,
            max_connections=self.config.max_connections or default_max_connections(),
        )
        self._tempdir: tempfile.TemporaryDirectory[str] | None = None
        self.secret_note: str | None = None
        self.running = False

    # -- lifecycle --------------------------------------------------------------------------------

    async def start(self) -> None:
        """Bind every listener and write the secret files."""
        if self.running:
            raise RuntimeError("the emulator is already running")
        host = self.config.host
        if host not in LOOPBACK:
            keys = ", ".join(f"{app.env} {app.appkey[:8]}…" for app in self.apps.values())
            log.warning(
                "the emulator listens on %s, beyond loopback: anyone who reaches it can trade its demo accounts "
                "with the demo app keys (%s), which derive from the public seed and are no secret",
                host,
                keys,
            )
        paths = await self._secret_paths(self._secrets_dir())  # before binding anything
        try:
            urls: dict[EnvName, tuple[str, str]] = {}
            for env in ENVIRONMENTS:
                rest_port = getattr(self.config, f"{env}_rest_port")
                ws_port = getattr(self.config, f"{env}_ws_port")
                rest = web.Application(middlewares=[_rest_fault_middleware(env, self.faults)])
                rest.on_response_prepare.append(self._stamp_date)
                rest.router.add_route("*", "/{tail:.*}", RestService(env, self.contexts[env]).handle)
                rest_bound = await self._serve(rest, host, rest_port)
                ws_bound = await self._serve(ws_app(self.hubs[env]), host, ws_port)
                urls[env] = (f"http://{_netloc(host, rest_bound)}", f"ws://{_netloc(host, ws_bound)}")
            if self.config.admin:
                # Loopback whatever --host says: fault injection is for the machine's own tests.
                admin = admin_app(self.faults, self.admin_token)
                admin_port = await self._serve(admin, "127.0.0.1", self.config.admin_port)
                self.admin_url = f"http://127.0.0.1:{admin_port}"
            for env in ENVIRONMENTS:
                rest_url, ws_url = urls[env]
                app = self.apps[env]
                auth = app.auth(rest_url, ws_url, always_open=self.config.clock == "always-open")
                auth.save(paths[env])
                self.environments[env] = EnvironmentInfo(env, rest_url, ws_url, app, paths[env], auth)
        except BaseException:
            self.environments.clear()
            await self._cleanup()
            raise
        self.faults.bind(asyncio.get_running_loop(), self.gateway, dict(self.hubs))
        self._attach_state()
        # The publisher's rounds also advance the matching engine, so it runs even when publishing is off.
        self.publisher = RealtimePublisher(
            self,
            engine=self.engine,
            rate=self.config.realtime_rate,
            legacy_widths=self.config.legacy_widths,
            enabled=self.config.realtime,
        )
        self.publisher.start()
        self.running = True

    async def _stamp_date(self, request: web.BaseRequest, response: web.StreamResponse) -> None:
        # The service's time travels in the standard Date header (clients anchor "today" on it): a sandbox
        # replaying a day says that day, not this machine's.
        response.headers["Date"] = formatdate(self.clock.now().timestamp(), usegmt=True)

    async def _serve(self, app: web.Application, host: str, port: int) -> int:
        return await self._listeners.serve(app, host, port)

    async def _secret_paths(self, directory: Path) -> dict[EnvName, Path]:
        """``secret.json`` and ``virtual_secret.json``, unless a sandbox that is still running wrote them: then
        the first pair ``secret-N.json``/``virtual_secret-N.json`` no running sandbox owns (said in ``secret_note``).
        A file that is not an emulator's own is never overwritten (``FileExistsError``)."""
        owner: str | None = None
        for number in itertools.count(1):
            suffix = "" if number == 1 else f"-{number}"
            for name in SECRET_FILES.values():
                _refuse_dangling_link(directory / f"{Path(name).stem}{suffix}.json")
            paths = {
                env: (directory / f"{Path(name).stem}{suffix}.json").resolve() for env, name in SECRET_FILES.items()
            }
            recorded = [url for url in map(_emulator_secret_url, paths.values()) if url is not None]
            live = [url for url in recorded if await _listening(url)]
            if not live:
                break
            owner = owner or live[0]
        if owner is not None:
            names = " and ".join(path.name for path in paths.values())
            self.secret_note = (
                f"{SECRET_FILES['real']} and {SECRET_FILES['virtual']} in {directory.resolve()} belong to the sandbox "
                f"still running at {owner}; this one's credentials are in {names}"
            )
            log.warning("%s", self.secret_note)
        return paths

    def _secrets_dir(self) -> Path:
        if self.config.secrets_dir is not None:
            return Path(self.config.secrets_dir)
        if self._tempdir is None:
            self._tempdir = tempfile.TemporaryDirectory(prefix="pykis-emulator-")
        return Path(self._tempdir.name)

    def _use_engine(self, engine: Any) -> None:
        """Open the demo accounts in ``engine`` and hand it to the trading endpoints."""
        open_demo_accounts(engine, self.apps.values())
        for ctx in self.contexts.values():
            ctx.extras["engine"] = engine

    def _attach_state(self) -> None:
        """Wire ``--state FILE`` to the domain's state module (``pykis.emulator.state``)."""
        if self.config.state_file is None:
            return
        try:
            state_module = importlib.import_module("pykis.emulator.state")
        except ImportError:
            log.warning("state persistence is not available yet; %s is ignored", self.config.state_file)
            return
        attach = getattr(state_module, "attach", None)
        if callable(attach):
            self.state = attach(self, Path(self.config.state_file))
            self._use_engine(self.engine)  # attach() replaced it with one journaling into the file
        else:
            log.warning("pykis.emulator.state has no attach(server, path); %s is ignored", self.config.state_file)

    async def stop(self) -> None:
        """Close every connection and listener, save the state, remove the temporary secret files."""
        if not self.running:
            await self._cleanup()
            return
        self.running = False
        if self.publisher is not None:
            await self.publisher.stop()
            self.publisher = None
        saver = getattr(self.state, "save", None)
        if callable(saver):
            with contextlib.suppress(Exception):
                saver()
        for hub in self.hubs.values():
            await hub.close_all()
        await self._cleanup()

    async def _cleanup(self) -> None:
        await self._listeners.close()
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None

    # -- queries ----------------------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        """``{"real": {...}, "virtual": {...}}`` as ``pykis emulator --json`` prints it."""
        return {env: info.to_json() for env, info in self.environments.items()}


def _refuse_dangling_link(path: Path) -> None:
    """A link to nowhere would be followed to create its target: a file another user chose."""
    if path.is_symlink() and not path.exists():
        raise FileExistsError(f"{path} is a link to a missing file; refusing to write through it (remove it)")


def _emulator_secret_url(path: Path) -> str | None:
    """The REST URL an emulator's secret file records (``None``: no file). A secret file that does not point
    at a loopback emulator may hold real keys: ``FileExistsError``, it is never overwritten."""
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        data = None
    url = data.get("rest_url") if isinstance(data, dict) else None
    host = urlsplit(url).hostname if isinstance(url, str) else None
    if host not in LOOPBACK:
        raise FileExistsError(
            f"{path} exists and is not an emulator secret file; refusing to overwrite it (choose another --secrets-dir)"
        )
    assert isinstance(url, str)
    return url


async def _listening(url: str) -> bool:
    """Whether something accepts connections at ``url`` (a sandbox that is still running)."""
    parts = urlsplit(url)
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(parts.hostname, parts.port), 2.0)
    except (OSError, TimeoutError, ValueError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


def _netloc(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

"""pykis.emulator — a local KIS-compatible server with a simulated market behind it.

It speaks the real service's wire protocol (PROTOCOL.md) for both environments, *real* (실전) and
*virtual* (모의), each with its own REST and WebSocket listener, app keys and account::

    from pykis.emulator import Emulator

    with Emulator() as emu:                      # a background thread, ephemeral loopback ports
        emu.real.rest_url, emu.real.ws_url       # "http://127.0.0.1:…", "ws://127.0.0.1:…"
        emu.real.auth                            # KisAuth with rest_url / ws_url set
        emu.real.secret_file                     # …/secret.json (virtual: …/virtual_secret.json)
        emu.faults.delay_rest(seconds=2, count=1)
        emu.market, emu.clock

    async with Emulator(clock="frozen") as emu:  # the same, on the running event loop
        emu.clock.advance(3600)

Options are the fields of :class:`EmulatorConfig`, given as keyword arguments or as a config object.
``pykis emulator`` (or ``python -m pykis.emulator``) runs it from the command line.

This package imports aiohttp (the ``emulator`` extra); ``import pykis`` never imports it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from types import TracebackType
from typing import TYPE_CHECKING, Any

from pykis.emulator.faults import Faults
from pykis.emulator.gateway import AppCredential, EnvName, Gateway, GatewayLimits, demo_credentials
from pykis.emulator.rest import (
    ApiRequest,
    ApiResponse,
    EmulatorContext,
    EndpointRegistry,
    Page,
    business_error,
    ok,
    paginate,
)
from pykis.emulator.server import ClockMode, EmulatorConfig, EmulatorServer, EnvironmentInfo
from pykis.emulator.ws import WsHub

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pykis.emulator.clock import Clock
    from pykis.emulator.market import Market

__all__ = [
    "ApiRequest",
    "ApiResponse",
    "AppCredential",
    "ClockMode",
    "Emulator",
    "EmulatorConfig",
    "EmulatorContext",
    "EmulatorServer",
    "EndpointRegistry",
    "EnvironmentInfo",
    "Faults",
    "Gateway",
    "GatewayLimits",
    "Page",
    "WsHub",
    "business_error",
    "demo_credentials",
    "ok",
    "paginate",
]


class Emulator:
    """A running emulator, as a context manager (sync: in a thread; async: on the running loop).

    ``config`` and keyword options are the fields of :class:`EmulatorConfig` (keywords override the
    config). ``clock`` is a clock mode (``"always-open"``, ``"real"``, ``"accelerated"``, ``"frozen"``) or a
    prebuilt clock object; ``market`` injects a prebuilt market. Otherwise the market is
    ``Market(clock, seed=config.seed, always_open=config.clock == "always-open")``.
    """

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        *,
        clock: Clock | ClockMode | None = None,
        market: Market | None = None,
        **options: Any,
    ) -> None:
        if isinstance(clock, str):
            options["clock"] = clock
            clock = None
        base = config or EmulatorConfig()
        self.config = dataclasses.replace(base, **options) if options else base
        self.server = EmulatorServer(self.config, clock=clock, market=market)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    # -- what a running emulator offers ------------------------------------------------------------

    @property
    def real(self) -> EnvironmentInfo:
        """The real (실전) environment: URLs, demo app, ``KisAuth`` and secret file."""
        return self._environment("real")

    @property
    def virtual(self) -> EnvironmentInfo:
        """The virtual (모의) environment."""
        return self._environment("virtual")

    def _environment(self, name: EnvName) -> EnvironmentInfo:
        info = self.server.environments.get(name)
        if info is None:
            raise RuntimeError("the emulator is not running; use it as a context manager")
        return info

    @property
    def faults(self) -> Faults:
        """The fault controls (thread-safe)."""
        return self.server.faults

    @property
    def market(self) -> Market:
        """The simulated market."""
        return self.server.market

    @property
    def clock(self) -> Any:
        """The emulator clock (a ``FrozenClock`` with ``set``/``advance`` in ``clock="frozen"`` mode)."""
        return self.server.clock

    @property
    def gateway(self) -> Gateway:
        """The gateway (tokens, keys, rate windows) — for tests that register extra apps."""
        return self.server.gateway

    @property
    def registry(self) -> EndpointRegistry:
        """The REST endpoint registry (add endpoints before or while running)."""
        return self.server.registry

    @property
    def admin_url(self) -> str | None:
        """The admin endpoint's base URL when ``admin=True``."""
        return self.server.admin_url

    @property
    def admin_headers(self) -> dict[str, str]:
        """The header every admin call carries (``Authorization: Bearer <token>``)."""
        return {"Authorization": f"Bearer {self.server.admin_token}"}

    def info(self) -> dict[str, Any]:
        """``{"real": {...}, "virtual": {...}}``: what ``pykis emulator --json`` prints."""
        return self.server.info()

    def hub(self, env: EnvName) -> WsHub:
        """The WebSocket hub of ``env`` (``"real"``/``"virtual"``): publish realtime frames through it."""
        return self.server.hubs[env]

    def publish(self, env: EnvName, tr_id: str, tr_key: str, records: Sequence[Sequence[str]]) -> int:
        """Send realtime records to the subscribers of (tr_id, tr_key); usable from any thread."""
        hub = self.hub(env)
        loop = self._loop
        if loop is None:
            raise RuntimeError("publish() from another thread needs the threaded emulator; await hub.publish()")
        return asyncio.run_coroutine_threadsafe(hub.publish(tr_id, tr_key, records), loop).result(timeout=10)

    # -- sync: a thread with its own loop ----------------------------------------------------------

    def start(self) -> Emulator:
        """Start in a background thread; returns once every listener is bound."""
        if self._thread is not None:
            raise RuntimeError("the emulator is already running")
        ready = threading.Event()
        failure: list[BaseException] = []
        loop = asyncio.new_event_loop()

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.server.start())
            except BaseException as exc:  # noqa: BLE001 - handed to the starting thread
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self.server.stop())
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        self._loop = loop
        self._thread = threading.Thread(target=run, name="pykis-emulator", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            self._thread = None
            self._loop = None
            raise failure[0]
        return self

    def stop(self) -> None:
        """Stop the background thread (idempotent)."""
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        self._thread = None
        self._loop = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- async: on the running loop ----------------------------------------------------------------

    async def __aenter__(self) -> Emulator:
        await self.server.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.server.stop()

    def __repr__(self) -> str:
        if not self.server.environments:
            return "Emulator(stopped)"
        return f"Emulator(real={self.real.rest_url}, virtual={self.virtual.rest_url})"

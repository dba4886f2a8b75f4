"""Fault injection: break the emulator on purpose, from Python or from the loopback admin endpoint.

Every control is safe to call from any thread (the emulator's loop runs in a background thread under
``with Emulator()``) and from the loop itself (``async with Emulator()``). REST faults are armed for the
next ``count`` matching responses and are consumed as requests arrive; ``env`` (``"real"``/``"virtual"``)
and ``path`` (a path prefix) narrow which requests match.

==============================  ===========================================================================
control                         effect
==============================  ===========================================================================
``delay_rest(seconds, count)``  hold the next responses for ``seconds`` before answering (an API call is
                                admitted, and counted against the rate limit, on arrival: then held)
``fail_rest(status, count)``    answer HTTP ``status`` (500) without processing; with ``code`` the body is the
                                gateway envelope of that code (e.g. ``EGW00302``), else ``EGW00002``
``drop_rest(count)``            process the request, then close the connection without replying ("the order
                                is accepted but the reply is lost")
``hostile_rest(kind, count)``   process the request, then answer it badly: ``truncated`` (headers promise more
                                body than arrives, then the connection closes), ``wrong_content_type`` (an
                                HTML error page with HTTP 200), ``huge`` (the real answer padded to ``size``
                                bytes, 16 MiB by default, 80 MiB at most), ``garbage_json`` (JSON cut off mid-object)
``force_rate_limit(count)``     answer the next calls EGW00201 whatever the window holds
``expire_tokens(env)``          every live access token expires now (next call: EGW00123)
``drop_websockets(env)``        close every WebSocket connection (abnormal closure, no close frame)
``stop_heartbeats()``           stop sending PINGPONG (``resume_heartbeats()`` restarts)
``send_malformed(kind, env)``   push a malformed frame to every connection: ``garbage``, ``truncated``
                                (a data frame cut short), ``bad_json``, ``bad_count`` (COUNT is not a number)
``clear()``                     disarm everything
==============================  ===========================================================================

The admin endpoint (``--admin``) exposes the same controls as ``POST /faults/<name>`` with the keyword
arguments as a JSON object, and ``GET /faults`` for the armed state. It listens on 127.0.0.1 whatever
``--host`` says, and every call carries ``Authorization: Bearer <token>`` with the token the emulator prints
at start (``Emulator.admin_token``).
"""

from __future__ import annotations

import asyncio
import hmac
import threading
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import urlsplit

from aiohttp import web

if TYPE_CHECKING:
    from pykis.emulator.gateway import EnvName, Gateway
    from pykis.emulator.ws import WsHub

__all__ = ["ADMIN_HEADER", "HOSTILE_KINDS", "MALFORMED_KINDS", "Faults", "RestFault", "admin_app"]

T = TypeVar("T")
FaultKind = Literal["delay", "fail", "drop", "hostile"]
MALFORMED_KINDS = ("garbage", "truncated", "bad_json", "bad_count")
HOSTILE_KINDS = ("truncated", "wrong_content_type", "huge", "garbage_json")
# Bounds on what a control may ask for: past the client's 64 MiB answer cap, short of exhausting memory.
MAX_HOSTILE_BYTES = 80 << 20
MAX_DELAY = 3600.0
MAX_COUNT = 1_000_000


@dataclass(slots=True)
class RestFault:
    """One armed REST fault."""

    kind: FaultKind
    remaining: int
    seconds: float = 0.0
    status: int = 500
    code: str | None = None
    env: str | None = None
    path: str | None = None
    variant: str = ""
    size: int = 0

    def matches(self, env: str, path: str) -> bool:
        """Whether a request of ``env`` to ``path`` triggers this fault."""
        return (self.env is None or self.env == env) and (self.path is None or path.startswith(self.path))


class Faults:
    """The fault controls of one emulator (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rest: list[RestFault] = []
        self._heartbeats = True
        self._loop: asyncio.AbstractEventLoop | None = None
        self._gateway: Gateway | None = None
        self._hubs: dict[EnvName, WsHub] = {}

    def bind(self, loop: asyncio.AbstractEventLoop, gateway: Gateway, hubs: dict[EnvName, WsHub]) -> None:
        """Attach to a running server (done by the server at start)."""
        self._loop = loop
        self._gateway = gateway
        self._hubs = hubs

    # -- REST -------------------------------------------------------------------------------------

    def _arm(self, fault: RestFault) -> None:
        if not 1 <= fault.remaining <= MAX_COUNT:
            raise ValueError(f"count must be 1..{MAX_COUNT}")
        if fault.env not in (None, "real", "virtual"):
            raise ValueError(f"env must be 'real', 'virtual' or None, got {fault.env!r}")
        with self._lock:
            self._rest.append(fault)

    def delay_rest(
        self, seconds: float, count: int = 1, *, env: EnvName | None = None, path: str | None = None
    ) -> None:
        """Delay the next ``count`` REST responses by ``seconds``."""
        if not 0 <= seconds <= MAX_DELAY:
            raise ValueError(f"seconds must be 0..{MAX_DELAY}")
        self._arm(RestFault("delay", count, seconds=seconds, env=env, path=path))

    def fail_rest(
        self,
        status: int = 500,
        count: int = 1,
        *,
        code: str | None = None,
        env: EnvName | None = None,
        path: str | None = None,
    ) -> None:
        """Answer the next ``count`` REST requests with HTTP ``status`` without processing them."""
        if not 400 <= status <= 599:
            raise ValueError("status must be an HTTP error status")
        self._arm(RestFault("fail", count, status=status, code=code, env=env, path=path))

    def drop_rest(self, count: int = 1, *, env: EnvName | None = None, path: str | None = None) -> None:
        """Process the next ``count`` requests, then drop the connection instead of replying."""
        self._arm(RestFault("drop", count, env=env, path=path))

    def hostile_rest(
        self,
        kind: str = "garbage_json",
        count: int = 1,
        *,
        size: int = 16 << 20,
        env: EnvName | None = None,
        path: str | None = None,
    ) -> None:
        """Process the next ``count`` requests, then answer each with a hostile body of ``kind``
        (:data:`HOSTILE_KINDS`); ``size`` is the body size of ``huge``."""
        if kind not in HOSTILE_KINDS:
            raise ValueError(f"kind must be one of {', '.join(HOSTILE_KINDS)}")
        if not 0 <= size <= MAX_HOSTILE_BYTES:
            raise ValueError(f"size must be 0..{MAX_HOSTILE_BYTES} bytes")
        self._arm(RestFault("hostile", count, env=env, path=path, variant=kind, size=size))

    def take(self, env: str, path: str) -> dict[FaultKind, RestFault]:
        """Consume the faults a request triggers: at most one of each kind, oldest first."""
        taken: dict[FaultKind, RestFault] = {}
        with self._lock:
            for fault in list(self._rest):
                if fault.kind in taken or not fault.matches(env, path):
                    continue
                fault.remaining -= 1
                taken[fault.kind] = RestFault(**{**asdict(fault), "remaining": 1})
                if fault.remaining <= 0:
                    self._rest.remove(fault)
        return taken

    # -- gateway ----------------------------------------------------------------------------------

    def _on_loop(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the server loop (directly when already there)."""
        loop = self._loop
        if loop is None:
            raise RuntimeError("the emulator is not running")
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            return fn()

        async def call() -> T:
            return fn()

        return asyncio.run_coroutine_threadsafe(call(), loop).result(timeout=10)

    def _spawn(self, factory: Callable[[], Coroutine[Any, Any, Any]]) -> None:
        loop = self._loop
        if loop is None:
            raise RuntimeError("the emulator is not running")

        def start() -> None:
            loop.create_task(factory())

        loop.call_soon_threadsafe(start)

    def force_rate_limit(self, count: int = 1) -> None:
        """Answer the next ``count`` rate-limited calls with EGW00201."""
        if count < 1:
            raise ValueError("count must be at least 1")

        def arm() -> None:
            assert self._gateway is not None
            self._gateway.forced_rate_limits += count

        self._on_loop(arm)

    def expire_tokens(self, env: EnvName | None = None) -> int:
        """Expire every live access token (of ``env``) now; returns how many expired."""

        def expire() -> int:
            assert self._gateway is not None
            return self._gateway.expire_tokens(env)

        return self._on_loop(expire)

    # -- WebSocket --------------------------------------------------------------------------------

    def _hubs_of(self, env: EnvName | None) -> list[WsHub]:
        if env is None:
            return list(self._hubs.values())
        return [self._hubs[env]]

    def drop_websockets(self, env: EnvName | None = None) -> None:
        """Drop every WebSocket connection (of ``env``) without a close frame."""
        for hub in self._hubs_of(env):
            self._spawn(hub.drop_all)

    def stop_heartbeats(self) -> None:
        """Stop sending PINGPONG frames."""
        with self._lock:
            self._heartbeats = False

    def resume_heartbeats(self) -> None:
        """Send PINGPONG frames again."""
        with self._lock:
            self._heartbeats = True

    @property
    def heartbeats(self) -> bool:
        """Whether PINGPONG frames are being sent."""
        with self._lock:
            return self._heartbeats

    def send_malformed(self, kind: str = "garbage", env: EnvName | None = None) -> None:
        """Push one malformed frame to every WebSocket connection (of ``env``)."""
        if kind not in MALFORMED_KINDS:
            raise ValueError(f"kind must be one of {', '.join(MALFORMED_KINDS)}")
        for hub in self._hubs_of(env):

            def send(hub: WsHub = hub) -> Coroutine[Any, Any, int]:
                return hub.broadcast_raw(malformed_frame(kind))

            self._spawn(send)

    # -- all --------------------------------------------------------------------------------------

    def clear(self) -> None:
        """Disarm every fault and resume heartbeats."""
        with self._lock:
            self._rest.clear()
            self._heartbeats = True
        if self._gateway is not None and self._loop is not None:

            def reset() -> None:
                assert self._gateway is not None
                self._gateway.forced_rate_limits = 0

            self._on_loop(reset)

    def status(self) -> dict[str, Any]:
        """The armed faults, for the admin endpoint and for debugging."""
        with self._lock:
            rest = [asdict(fault) for fault in self._rest]
            heartbeats = self._heartbeats
        forced = self._gateway.forced_rate_limits if self._gateway is not None else 0
        return {"rest": rest, "heartbeats": heartbeats, "forced_rate_limits": forced}


def malformed_frame(kind: str) -> str:
    """A frame no client should accept silently."""
    if kind == "garbage":
        return "\x00\x01not a KIS frame\xff"
    if kind == "truncated":
        return "0|H0STCNT0|001|005930^093000^71000"
    if kind == "bad_json":
        return '{"header": {"tr_id": "H0STCNT0", '
    return "0|H0STCNT0|abc|005930"


# --------------------------------------------------------------------------------------- admin API

_ADMIN_CONTROLS = frozenset(
    {
        "delay_rest",
        "fail_rest",
        "drop_rest",
        "hostile_rest",
        "force_rate_limit",
        "expire_tokens",
        "drop_websockets",
        "stop_heartbeats",
        "resume_heartbeats",
        "send_malformed",
        "clear",
    }
)


ADMIN_HEADER = "Authorization"
"""The admin endpoint takes ``Authorization: Bearer <token>``, the token the emulator prints at start. A web page
cannot send that header cross-site without a CORS preflight, which the endpoint never grants."""
_ADMIN_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
MAX_ADMIN_BODY = 64 << 10


def admin_app(faults: Faults, token: str) -> web.Application:
    """The loopback admin endpoint: ``GET /faults`` and ``POST /faults/<control>`` with JSON kwargs.

    Every call needs ``token``; a Host other than loopback (DNS rebinding) or any ``Origin`` (a browser page)
    is refused, and a body must be ``application/json`` of at most 64 KiB."""
    expected = f"Bearer {token}".encode()

    @web.middleware
    async def guard(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        try:
            host = urlsplit("//" + request.headers.get("Host", "")).hostname
        except ValueError:
            host = None
        if host not in _ADMIN_HOSTS:
            return web.json_response({"error": "the admin endpoint answers on loopback only"}, status=403)
        if "Origin" in request.headers:
            return web.json_response({"error": "cross-origin requests are refused"}, status=403)
        given = request.headers.get(ADMIN_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return web.json_response({"error": "missing or wrong admin token"}, status=401)
        if request.method == "POST" and request.content_length and request.content_type != "application/json":
            return web.json_response({"error": "the body must be application/json"}, status=415)
        return await handler(request)

    async def status(_request: web.Request) -> web.Response:
        return web.json_response(faults.status())

    async def control(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in _ADMIN_CONTROLS:
            return web.json_response({"error": f"unknown control {name!r}"}, status=404)
        raw = await request.read()
        try:
            kwargs = await request.json() if raw else {}
        except (ValueError, RecursionError):
            return web.json_response({"error": "body must be a JSON object"}, status=400)
        if not isinstance(kwargs, dict):
            return web.json_response({"error": "body must be a JSON object"}, status=400)
        method = getattr(faults, name)
        try:
            # The controls touch the server loop; run them off it so they can wait for it.
            result = await asyncio.get_running_loop().run_in_executor(None, lambda: method(**kwargs))
        except (TypeError, ValueError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response({"ok": True, "result": result, "status": faults.status()})

    app = web.Application(middlewares=[guard], client_max_size=MAX_ADMIN_BODY)
    app.router.add_get("/faults", status)
    app.router.add_post("/faults/{name}", control)
    return app

"""Realtime through a gateway.

Gateway side (:class:`RealtimeHub`): a (TR, key) is registered upstream once, on one key's WebSocket, however
many consumers share it; the share is reference-counted by consumer and released with the last one. Each record
is published on ``kis.rt.<TR>.<key>`` as a plain data frame (``0|TR|001|record``; execution notices travel
decrypted, so no cipher key leaves the gateway). The upstream client restores its registrations after a
reconnect by itself.

Client side (:class:`GatewayWebsocketClient`, :class:`AsyncGatewayWebsocketClient`): the realtime clients of
:mod:`pykis.drivers.websocket_blocking` and :mod:`pykis.drivers.websocket_asyncio` with their WebSocket session
swapped for a NATS one, so tickets, routing, filters and dispatching are the same code. A gateway that restarts
announces itself on ``kis.restored`` and every consumer takes its shares again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, wait
from typing import TYPE_CHECKING, Any, cast

import msgspec

from pykis.drivers.websocket_asyncio import AsyncKisWebsocketClient
from pykis.drivers.websocket_blocking import KisWebsocketClient
from pykis.errors import KisError, KisValidationError
from pykis.gateway.wire import decode_answer, encode_error
from pykis.protocol.env import Environment
from pykis.protocol.websocket import (
    MAX_SUBSCRIPTIONS,
    NOTICE_TRS,
    DataFrame,
    KisWebsocketTR,
    ServerState,
    SubscribeCommand,
    parse_message,
)

if TYPE_CHECKING:
    from nats.aio.client import Client
    from nats.aio.msg import Msg
    from nats.aio.subscription import Subscription

    from pykis.drivers.websocket_handlers import KisEventTicket, KisSubscriptionEventArgs, RealtimeCore
    from pykis.gateway.link import GatewayLink
    from pykis.gateway.server import GatewayKey, KisGateway

__all__ = ["AsyncGatewayWebsocketClient", "GatewayWebsocketClient", "RealtimeHub"]

log = logging.getLogger("pykis.gateway")


# ------------------------------------------------------------------------------------------------ gateway side


class RealtimeHub:
    """The gateway's upstream registrations and who shares them."""

    def __init__(self, gateway: KisGateway, nc: Client) -> None:
        self.gateway = gateway
        self.nc = nc
        self.shares: dict[KisWebsocketTR, set[str]] = {}
        self.upstream: dict[KisWebsocketTR, tuple[GatewayKey, KisEventTicket]] = {}
        self.renewed: dict[tuple[KisWebsocketTR, str], float] = {}
        self.published = 0

    async def on_request(self, msg: Msg) -> None:
        """``{"op": "add" | "remove", "tr": …, "key": …, "consumer": …}`` → ``{"ok": true}`` or a typed error."""
        try:
            data = json.loads(msg.data)
            tr = KisWebsocketTR(str(data["tr"]), str(data["key"]))
            consumer = str(data["consumer"])
            if data["op"] == "add":
                self.add(tr, consumer)
            elif data["op"] == "remove":
                self.remove(tr, consumer)
            else:
                raise KisValidationError(f"unknown realtime operation {data['op']!r}")
            answer = b'{"ok": true}'
        except (ValueError, KeyError, TypeError):
            answer = encode_error(KisValidationError("not a realtime request"))
        except KisError as exc:
            answer = encode_error(exc)
        await msg.respond(answer)

    def add(self, tr: KisWebsocketTR, consumer: str) -> None:
        """``consumer`` shares ``tr``; the first share registers it upstream."""
        holders = self.shares.get(tr)
        if holders is None:
            key = self._key_for(tr)
            ticket = key.kis.websocket.on(tr.id, tr.key, self._publisher(tr))
            self.upstream[tr] = (key, ticket)
            holders = self.shares[tr] = set()
            log.info("Gateway registered %s on %s", tr, key.label)
        holders.add(consumer)
        self.renewed[tr, consumer] = time.monotonic()

    def remove(self, tr: KisWebsocketTR, consumer: str) -> None:
        """``consumer`` no longer shares ``tr``; the last share releases it upstream."""
        holders = self.shares.get(tr)
        if holders is None:
            return
        holders.discard(consumer)
        self.renewed.pop((tr, consumer), None)
        if not holders:
            del self.shares[tr]
            _, ticket = self.upstream.pop(tr)
            ticket.unsubscribe()
            log.info("Gateway released %s", tr)

    async def sweep(self, lease: float) -> None:
        """Drop the shares of consumers that stopped renewing them (a killed process never says goodbye)."""
        while True:
            await asyncio.sleep(lease / 4)
            expired = time.monotonic() - lease
            for (tr, consumer), renewed in list(self.renewed.items()):
                if renewed < expired:
                    log.info("Gateway dropped %s of a silent consumer", tr)
                    self.remove(tr, consumer)

    def _key_for(self, tr: KisWebsocketTR) -> GatewayKey:
        """Notices go on the key of their HTS ID; market data on the key of its environment with the fewest
        registrations (so N keys carry N × 41)."""
        keys = self.gateway.keys
        if tr.id in NOTICE_TRS:
            environment = Environment.VIRTUAL if tr.id.endswith("9") else Environment.REAL
            owners = [k for k in keys if k.environment is environment and k.auth.id == tr.key]
            if not owners:
                raise KisValidationError(f"the gateway holds no {environment.value} key of HTS ID {tr.key!r}")
            return owners[0]
        environments = {k.environment for k in keys}
        environment = Environment.REAL if Environment.REAL in environments else Environment.VIRTUAL
        candidates = [k for k in keys if k.environment is environment]
        return min(candidates, key=lambda k: sum(1 for owner, _ in self.upstream.values() if owner is k))

    def _publisher(self, tr: KisWebsocketTR) -> Callable[[Any, KisSubscriptionEventArgs[Any]], Any]:
        subject = self.gateway.subjects.realtime(tr.id, tr.key)
        prefix = f"0|{tr.id}|001|"

        async def publish(_client: Any, e: KisSubscriptionEventArgs[Any]) -> None:
            self.published += 1
            await self.nc.publish(subject, (prefix + e.response._r).encode())

        return publish

    def status(self) -> dict[str, Any]:
        """Registrations per key and consumers per registration."""
        per_key = {key.label: 0 for key in self.gateway.keys}
        for key, _ in self.upstream.values():
            per_key[key.label] += 1
        return {
            "subscriptions": per_key,
            "consumers": {str(tr): len(holders) for tr, holders in sorted(self.shares.items())},
            "published": self.published,
        }

    async def close(self) -> None:
        for _, ticket in self.upstream.values():
            ticket.unsubscribe()
        self.upstream.clear()
        self.shares.clear()


# ------------------------------------------------------------------------------------------------ client side


class _NatsSession:
    """Stands in for one environment's WebSocket session: a registration is a NATS subscription to its subject
    plus a share taken at the gateway. Commands take effect at once, so the state needs no server replies."""

    def __init__(self, link: GatewayLink, core: RealtimeCore, environment: Environment, deliver: Any) -> None:
        self.link = link
        self.core = core
        self.environment = environment
        self.deliver: Callable[[DataFrame], None] = deliver
        self.consumer = secrets.token_hex(8)
        self.subs: dict[KisWebsocketTR, Subscription] = {}
        self.inflight: set[Future[None]] = set()
        self.conn: object | None = self  # "connected": NATS reconnects by itself
        self.thread = threading.Thread(target=lambda: None)  # the blocking client joins it on close
        self.thread.start()
        self.watching = link.submit(self._watch_restarts())
        with core.lock:
            self.send(core.session(environment).connected())

    def send(self, commands: list[SubscribeCommand]) -> None:
        """Apply commands (the caller holds the core's lock)."""
        state = self.core.session(self.environment)
        for command in commands:
            if command.register:
                state.server[command.tr] = ServerState.SUBSCRIBED
            else:
                state.server.pop(command.tr, None)
            future = self.link.submit(self._apply(command))
            self.inflight.add(future)
            future.add_done_callback(self.inflight.discard)

    async def _apply(self, command: SubscribeCommand) -> None:
        tr = command.tr
        if command.register:
            self.subs[tr] = await self.link.nc.subscribe(self.link.subjects.realtime(tr.id, tr.key), cb=self._frame)
            await self._share("add", tr)
        else:
            sub = self.subs.pop(tr, None)
            if sub is not None:
                await sub.unsubscribe()
            await self._share("remove", tr)

    async def _share(self, op: str, tr: KisWebsocketTR) -> None:
        payload = json.dumps({"op": op, "tr": tr.id, "key": tr.key, "consumer": self.consumer}).encode()
        try:
            answer = await self.link._ask(self.link.subjects.subscribe, payload, self.link.options.request_timeout)
            if not json.loads(answer).get("ok"):
                decode_answer(answer)
        except KisError as exc:
            log.warning("RTC Gateway refused %s of %s: %s", op, tr, exc)

    async def _frame(self, msg: Msg) -> None:
        message = parse_message(msg.data.decode("utf-8", "replace"))
        if isinstance(message, DataFrame):
            self.deliver(message)

    async def _renew(self) -> None:
        for tr in list(self.subs):
            await self._share("add", tr)

    async def _watch_restarts(self) -> None:
        """Take every share again when a gateway (re)starts, and renew them within the gateway's lease."""

        async def restored(_msg: Msg) -> None:
            await self._renew()

        await self.link.nc.subscribe(self.link.subjects.restored, cb=restored)
        period = float(self.link.profile.get("lease", 90.0)) / 3
        while True:
            await asyncio.sleep(period)
            await self._renew()

    def stop(self) -> None:
        self.watching.cancel()

        async def release() -> None:
            for tr in list(self.subs):
                await self._apply(SubscribeCommand(tr, False))

        if self.link.loop.is_running():
            try:
                wait(list(self.inflight), timeout=5)  # releases already asked for finish first
                self.link.submit(release()).result(timeout=5)
            except Exception:  # noqa: BLE001 — closing: the gateway may already be gone
                log.debug("RTC Could not release the gateway shares on close")


def _pooled(core: RealtimeCore, link: GatewayLink) -> None:
    """The registration limit of a gateway client is its gateway's: 41 per key of the busiest environment."""
    keys = max((len(entries) for entries in link.profile.get("environments", {}).values()), default=1)
    core.options = msgspec.structs.replace(core.options, limit=keys * MAX_SUBSCRIPTIONS)


class GatewayWebsocketClient(KisWebsocketClient):
    """``kis.websocket`` of ``PyKis(gateway=…)``: the same API, events from the gateway over NATS."""

    def __init__(self, kis: Any, options: Any = None) -> None:
        super().__init__(kis, options)
        _pooled(self._core, kis._gateway)

    def _session(self, environment: Environment) -> Any:
        session = self._sessions.get(environment)
        if session is None:
            link = self._kis._gateway
            assert link is not None

            def deliver(frame: DataFrame) -> None:
                self._enqueue_frame(frame, None, self._core.today(self._kis.clock.timestamp()))

            session = cast(Any, _NatsSession(link, self._core, environment, deliver))
            self._sessions[environment] = session
        return session

    def close(self) -> None:
        for session in list(self._sessions.values()):
            session.stop()
        super().close()


async def _idle() -> None:
    await asyncio.Event().wait()


class AsyncGatewayWebsocketClient(AsyncKisWebsocketClient):
    """``kis.websocket`` of ``AsyncPyKis(gateway=…)``: the same API, events from the gateway over NATS."""

    def __init__(self, kis: Any, options: Any = None) -> None:
        super().__init__(kis, options)
        _pooled(self._core, kis._gateway)

    def _session(self, environment: Environment) -> Any:
        session = self._sessions.get(environment)
        if session is None:
            link = self._kis._gateway
            loop = self._loop
            assert link is not None and loop is not None

            def deliver(frame: DataFrame) -> None:
                loop.call_soon_threadsafe(self._enqueue, (frame, None, self._core.today(self._kis.clock.timestamp())))

            session = cast(Any, _NatsSession(link, self._core, environment, deliver))
            session.task = loop.create_task(_idle())  # what the asyncio client cancels on close
            self._sessions[environment] = session
        return session

    async def close(self) -> None:
        for session in list(self._sessions.values()):
            await asyncio.to_thread(cast(Any, session).stop)
        await super().close()

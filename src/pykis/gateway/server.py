"""The gateway process: it holds the app keys, their tokens, rate budgets and WebSocket connections, and serves
REST calls and realtime registrations to any number of clients over NATS.

Each key is an :class:`~pykis.AsyncPyKis` of its own, so a call through the gateway runs exactly the flow a
direct call runs (token refresh, the key's sliding-window limit, retries of inquiries, never a resent order).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from pykis.auth import KisAuth
from pykis.client import AsyncPyKis
from pykis.errors import KisError, KisValidationError
from pykis.gateway.journal import SendOnce
from pykis.gateway.realtime import RealtimeHub
from pykis.gateway.wire import (
    QUEUE_GROUP,
    NatsOptions,
    Subjects,
    decode_call,
    encode_envelope,
    encode_error,
    open_connection,
)
from pykis.protocol.clock import ServiceClock
from pykis.protocol.env import Environment

if TYPE_CHECKING:
    from nats.aio.client import Client
    from nats.aio.msg import Msg

    from pykis.protocol.request import ApiCall

__all__ = ["GatewayKey", "KisGateway"]

log = logging.getLogger("pykis.gateway")


class GatewayKey(msgspec.Struct, eq=False):
    """One app key the gateway holds, with what it has served; ``label`` names it in logs and status (the
    environment and the account: never the key itself)."""

    auth: KisAuth
    kis: AsyncPyKis
    served: int = 0
    failed: int = 0
    in_flight: int = 0

    @property
    def environment(self) -> Environment:
        return Environment.VIRTUAL if self.auth.virtual else Environment.REAL

    @property
    def label(self) -> str:
        return f"{self.environment.value}:{self.auth.account}"


class KisGateway:
    """A gateway over ``auths`` (one per app key) on the NATS server of ``nats``.

    ``hosts`` overrides every key's REST/WebSocket hosts (else each secret's own ``rest_url``/``ws_url``);
    ``state_dir`` keeps the send-once journal across restarts; ``lease``: a consumer that has not renewed its
    realtime shares for this long (it died) loses them. Use ``async with`` or :meth:`start`/:meth:`close`.
    """

    def __init__(
        self,
        auths: Sequence[KisAuth],
        nats: NatsOptions | None = None,
        *,
        state_dir: Path | None = None,
        lease: float = 90.0,
        **client_options: Any,
    ) -> None:
        if not auths:
            raise KisValidationError("a gateway needs at least one secret")
        self.nats_options = nats or NatsOptions()
        self.subjects = Subjects(self.nats_options.prefix)
        self._auths = list(auths)
        # One service, one clock: every key's client learns the service's time into it, and the journal stamps by it.
        self.clock: ServiceClock = client_options.setdefault("clock", ServiceClock())
        self._client_options = client_options
        self._state_dir = state_dir
        self.keys: list[GatewayKey] = []
        self._nc: Client | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._spread = itertools.count()
        self.journal = SendOnce(state_dir / "gateway-orders.jsonl" if state_dir else None, now=self.clock.now)
        self.realtime: RealtimeHub | None = None
        self.lease = lease
        self.started = 0.0

    # -- lifecycle ------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect to NATS and start answering."""
        self.keys = [GatewayKey(auth, AsyncPyKis(auth, **self._client_options)) for auth in self._auths]
        self._nc = await open_connection(self.nats_options, "pykis-gateway")
        self.realtime = RealtimeHub(self, self._nc)
        sweeper = asyncio.create_task(self.realtime.sweep(self.lease))
        self._tasks.add(sweeper)
        for subject, handler in (
            (self.subjects.rest, self._on_rest),
            (self.subjects.hello, self._on_hello),
            (self.subjects.status, self._on_status),
            (self.subjects.recover, self._on_recover),
            (self.subjects.subscribe, self.realtime.on_request),
        ):
            await self._nc.subscribe(subject, queue=QUEUE_GROUP, cb=self._spawner(handler))
        await self._nc.flush()
        self.started = time.monotonic()
        await self._nc.publish(self.subjects.restored, b"{}")
        log.info("Gateway on %s answering %s.* with %s", self.nats_options.servers, self.subjects.prefix, self.labels)

    async def close(self) -> None:
        """Stop answering, close the upstream connections and NATS."""
        if self.realtime is not None:
            await self.realtime.close()
        for task in list(self._tasks):
            task.cancel()
        if self._nc is not None:
            nc, self._nc = self._nc, None
            await nc.close()
        for key in self.keys:
            await key.kis.close()

    async def __aenter__(self) -> KisGateway:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _spawner(self, handler: Any) -> Any:
        # NATS runs one subscription's callbacks one after another: each request gets its own task so a call
        # waiting for its rate slot never holds up the others.
        async def spawn(msg: Msg) -> None:
            task = asyncio.create_task(handler(msg))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        return spawn

    @property
    def labels(self) -> list[str]:
        """The keys' labels (environment:account)."""
        return [key.label for key in self.keys]

    # -- key choice -----------------------------------------------------------------------------------

    def environments(self) -> list[Environment]:
        """The environments some key serves."""
        return sorted({key.environment for key in self.keys}, key=lambda env: env.value)

    def key_for(self, call: ApiCall) -> GatewayKey:
        """The key a call goes through: account calls and orders use the account's own key; inquiries spread
        over every key of their environment (the least busy first)."""
        environments = self.environments()
        if call.trading:
            environment = Environment.VIRTUAL if Environment.VIRTUAL in environments else Environment.REAL
        else:
            environment = Environment.REAL if Environment.REAL in environments else Environment.VIRTUAL
        candidates = [key for key in self.keys if key.environment is environment]
        if call.trading:
            account = call.params.get("CANO")
            if account:
                owners = [key for key in candidates if key.auth.account_number.number == account]
                if not owners:
                    raise KisValidationError(f"the gateway holds no key of account {account}-…")
                return owners[0]
            return candidates[0]
        turn = next(self._spread)
        return min(candidates, key=lambda key: (key.in_flight, (candidates.index(key) - turn) % len(candidates)))

    # -- REST -----------------------------------------------------------------------------------------

    async def _on_rest(self, msg: Msg) -> None:
        try:
            call, request_id = decode_call(msg.data)
            key = self.key_for(call)
        except KisError as exc:
            await msg.respond(encode_error(exc))
            return
        if call.retryable or not request_id:
            answer = await self._call(key, call)
        else:
            answer = await self.journal.run(request_id, lambda: self._call(key, call))
        try:
            await msg.respond(answer)
        except Exception as exc:  # noqa: BLE001 — NATS went away: the client settles what it cannot see
            log.warning("Gateway could not answer %s: %s", call.tr_id, exc)

    async def _on_recover(self, msg: Msg) -> None:
        await msg.respond(await self.journal.recover(msg.data.decode("utf-8", "replace")))

    async def _call(self, key: GatewayKey, call: ApiCall) -> bytes:
        key.in_flight += 1
        try:
            envelope = await key.kis.request(call)
        except Exception as exc:  # noqa: BLE001 — every failure goes back to the caller, typed
            key.failed += 1
            return encode_error(exc)
        finally:
            key.in_flight -= 1
            key.served += 1
        return encode_envelope(envelope)

    # -- profile and status ---------------------------------------------------------------------------

    async def _on_hello(self, msg: Msg) -> None:
        await msg.respond(json.dumps(self.profile(), ensure_ascii=False).encode())

    def profile(self) -> dict[str, Any]:
        """What a client needs to stand in for a keyed one: per environment, the HTS IDs, accounts and hosts
        of the keys. No app key, secret or token."""
        sides: dict[str, list[dict[str, str]]] = {}
        for key in self.keys:
            hosts = key.kis.hosts(key.environment)
            sides.setdefault(key.environment.value, []).append(
                {"id": key.auth.id, "account": key.auth.account, "rest": hosts.rest, "websocket": hosts.websocket}
            )
        return {"version": 1, "environments": sides, "lease": self.lease}

    async def _on_status(self, msg: Msg) -> None:
        await msg.respond(json.dumps(self.status(), ensure_ascii=False).encode())

    def status(self) -> dict[str, Any]:
        """Each key's budget and load, subscriptions per connection and consumers per registration."""
        keys = []
        for key in self.keys:
            limiter = key.kis._limiters[key.environment]
            keys.append(
                {
                    "key": key.label,
                    "rate_limit": limiter.window.limit,
                    "served": key.served,
                    "failed": key.failed,
                    "in_flight": key.in_flight,
                }
            )
        realtime = self.realtime.status() if self.realtime is not None else {}
        uptime = round(time.monotonic() - self.started) if self.started else 0
        return {"uptime_seconds": uptime, "keys": keys, "recovered": self.journal.recovered, **realtime}

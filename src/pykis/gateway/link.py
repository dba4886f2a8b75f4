"""The client's side of a gateway: one NATS connection on a background event loop, shared by the blocking and
the asyncio clients (``PyKis(gateway=…)``, ``AsyncPyKis(gateway=…)``).

A REST call is one request/reply. A request that no gateway received (NATS answers "no responders": the gateway
is restarting) is sent again until ``request_timeout``, even an order, since nobody saw it; a request whose
answer does not come is a :class:`~pykis.errors.KisTimeoutError`, which for an order means "outcome unknown" and
is settled from the day's orders, never resent.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, TypeVar

from pykis.auth import KisAuth
from pykis.errors import KisGatewayUnreachableError, KisTimeoutError, KisValidationError
from pykis.gateway.wire import NatsOptions, Subjects, decode_answer, encode_call, open_connection
from pykis.protocol.env import Environment, KisHosts

if TYPE_CHECKING:
    from nats.aio.client import Client

    from pykis.protocol.envelope import Envelope
    from pykis.protocol.request import ApiCall

__all__ = ["GatewayLink", "gateway_options"]

T = TypeVar("T")

_NO_KEY = "-" * 36
_NO_SECRET = "-" * 180
"""A gateway client's credentials are placeholders of the right shape: the keys stay with the gateway."""
_RETRY_PAUSE = 0.1


def gateway_options(gateway: str | NatsOptions) -> NatsOptions:
    """``"nats://host:port"`` or full options."""
    if isinstance(gateway, NatsOptions):
        return gateway
    if not isinstance(gateway, str) or not gateway.startswith(("nats://", "tls://", "ws://", "wss://")):
        raise KisValidationError(f"gateway must be a nats:// (or tls://) URL or NatsOptions, got {gateway!r}")
    return NatsOptions(servers=gateway)


class GatewayLink:
    """A connection to a gateway: its profile, REST calls (blocking or awaited) and the loop realtime uses."""

    def __init__(self, options: NatsOptions) -> None:
        self.options = options
        self.subjects = Subjects(options.prefix)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="pykis-gateway", daemon=True)
        self._thread.start()
        self._nc: Client | None = None
        try:
            self._nc = self.run(self._connect())
            self.profile: dict[str, Any] = self.run(self._hello())
        except BaseException:
            self.close()
            raise

    # -- the loop -------------------------------------------------------------------------------------

    def submit(self, coroutine: Coroutine[Any, Any, T]) -> Future[T]:
        """Run ``coroutine`` on the link's loop."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` on the link's loop and wait for it (never call from that loop)."""
        return self.submit(coroutine).result()

    @property
    def nc(self) -> Client:
        """The NATS connection."""
        if self._nc is None:
            raise KisGatewayUnreachableError("the gateway link is closed")
        return self._nc

    async def _connect(self) -> Client:
        return await open_connection(self.options, "pykis-client")

    async def _hello(self) -> dict[str, Any]:
        answer = await self._ask(self.subjects.hello, b"", self.options.connect_timeout)
        profile: dict[str, Any] = json.loads(answer)
        return profile

    async def _ask(self, subject: str, payload: bytes, within: float) -> bytes:
        """Request/reply; "no responders" (nobody received it) is asked again until ``within`` has passed."""
        from nats.errors import ConnectionClosedError, NoRespondersError  # noqa: PLC0415 - the gateway extra
        from nats.errors import TimeoutError as NatsTimeout  # noqa: PLC0415

        deadline = self.loop.time() + within
        while True:
            remaining = deadline - self.loop.time()
            if remaining <= 0:
                raise KisGatewayUnreachableError(f"no pykis gateway answers on {subject} at {self.options.servers}")
            try:
                msg = await self.nc.request(subject, payload, timeout=remaining)
            except NoRespondersError:
                await asyncio.sleep(_RETRY_PAUSE)
                continue
            except NatsTimeout:
                raise KisTimeoutError(
                    f"no answer from the gateway on {subject} within {within:g} s (an order's outcome is unknown)"
                ) from None
            except ConnectionClosedError:
                raise KisGatewayUnreachableError(f"the NATS connection to {self.options.servers} is closed") from None
            return bytes(msg.data)

    # -- what the clients use -------------------------------------------------------------------------

    def auths(self) -> tuple[KisAuth | None, KisAuth | None]:
        """Secretless stand-ins for the gateway's first real and first virtual key (HTS ID, account, hosts)."""
        found: dict[str, KisAuth] = {}
        for environment, entries in self.profile.get("environments", {}).items():
            if entries:
                entry = entries[0]
                found[environment] = KisAuth(
                    id=entry["id"],
                    appkey=_NO_KEY,
                    secretkey=_NO_SECRET,
                    account=entry["account"],
                    virtual=environment == Environment.VIRTUAL.value,
                    rest_url=entry["rest"],
                    ws_url=entry["websocket"],
                )
        if not found:
            raise KisGatewayUnreachableError("the gateway holds no key")
        return found.get(Environment.REAL.value), found.get(Environment.VIRTUAL.value)

    def hosts(self, environment: Environment) -> KisHosts:
        """The upstream hosts of ``environment`` (for the public master files)."""
        entry = self.profile["environments"][environment.value][0]
        return KisHosts(entry["rest"], entry["websocket"])

    async def _call(self, call: ApiCall) -> Envelope:
        request_id = secrets.token_hex(12)
        payload = encode_call(call, request_id)
        try:
            answer = await self._ask(self.subjects.rest, payload, self.options.request_timeout)
        except KisTimeoutError:
            if call.retryable:
                raise
            # The reply of an order was lost in transit: the gateway's journal may hold it (this sends nothing).
            # Failing that, the timeout stands and the order ladder settles it from the day's orders.
            answer = await self._ask(self.subjects.recover, request_id.encode(), self.options.request_timeout)
        return decode_answer(answer)

    def request(self, call: ApiCall) -> Envelope:
        """One REST call through the gateway, blocking."""
        return self.run(self._call(call))

    async def arequest(self, call: ApiCall) -> Envelope:
        """One REST call through the gateway, awaited from any event loop."""
        return await asyncio.wrap_future(self.submit(self._call(call)))

    def status(self) -> dict[str, Any]:
        """The gateway's status report (:meth:`pykis.gateway.server.KisGateway.status`)."""
        status: dict[str, Any] = json.loads(
            self.run(self._ask(self.subjects.status, b"", self.options.connect_timeout))
        )
        return status

    def close(self) -> None:
        """Close the NATS connection and stop the loop thread. Idempotent."""
        if not self.loop.is_running():
            return
        nc, self._nc = self._nc, None
        if nc is not None:
            try:
                self.run(nc.close())
            except Exception:  # noqa: BLE001, S110 — closing a dead connection
                pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
        self.loop.close()

"""The realtime (WebSocket) side: subscriptions, control replies, PINGPONG, and a publisher API.

The listener accepts the bare path, ``/tryitout`` and ``/tryitout/<TR_ID>`` (PROTOCOL.md §1, §5). Clients
send text frames::

    {"header": {"approval_key": …, "custtype": "P", "tr_type": "1" | "2", "content-type": "utf-8"},
     "body": {"input": {"tr_id": "H0STCNT0", "tr_key": "005930"}}}

and get JSON control replies ``{"header": {"tr_id", "tr_key", "encrypt"}, "body": {"rt_cd", "msg_cd",
"msg1"[, "output": {"iv", "key"}]}}``. Codes and texts are the OPSP table users copied from the broker:

=========  ====================================  ==============================================
OPSP0000   SUBSCRIBE SUCCESS                     rt_cd 0; ``output.key`` (32) and ``output.iv`` (16)
OPSP0001   UNSUBSCRIBE SUCCESS                   rt_cd 0
OPSP0002   ALREADY IN SUBSCRIBE                  rt_cd 1
OPSP0003   UNSUBSCRIBE ERROR (not found!)        rt_cd 1
OPSP0008   MAX SUBSCRIBE OVER                    rt_cd 1; more than 41 registrations per app key
OPSP0011   invalid appkey : NOT FOUND            rt_cd 1; unknown/foreign/expired approval key
OPSP8991   SUBSCRIBE ERROR : invalid tr_id       rt_cd 1
OPSP8997   JSON PARSING ERROR : invalid tr_type  rt_cd 1
OPSP9990   JSON PARSING ERROR : tr_key not found rt_cd 1 (also 9991 input, 9992 body, 9998 header,
                                                 9999 invalid json format, 9997 custtype)
=========  ====================================  ==============================================

A notice TR subscribed for an HTS ID other than the approval key's app's is not answered: the connection is
dropped (the broker's README: a wrong HTS ID shows as "No close frame received").

The server sends ``{"header": {"tr_id": "PINGPONG", "datetime": "YYYYMMDDHHMMSS"}}`` every heartbeat
interval; clients echo it (a text frame or a pong frame; both are accepted).

Publishing: :meth:`WsHub.publish` sends ``0|TR_ID|COUNT|f1^f2^…`` to every connection subscribed to
(tr_id, tr_key); for the notice TRs (``encrypted`` in ``websocket.json``) the frame is
``1|TR_ID|COUNT|base64(AES-256-CBC(payload))`` with that connection's key and IV for the TR.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import secrets
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import WSMsgType, web
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from pykis.catalog import websocket_trs
from pykis.emulator.gateway import AppCredential, EnvName, Gateway

__all__ = ["MAX_SUBSCRIPTIONS", "WsConnection", "WsHub", "data_frame", "encrypt_payload", "ws_app"]

KST = ZoneInfo("Asia/Seoul")
MAX_SUBSCRIPTIONS = 41  # PROTOCOL.md §5: "at most 41 registrations per app key"; users measured the 42nd refused

DROP: dict[str, Any] = {"drop": True}
"""What :meth:`WsHub.on_text` answers when the connection is to be dropped without a reply."""
_MESSAGES = {
    "OPSP0000": "SUBSCRIBE SUCCESS",
    "OPSP0001": "UNSUBSCRIBE SUCCESS",
    "OPSP0002": "ALREADY IN SUBSCRIBE",
    "OPSP0003": "UNSUBSCRIBE ERROR (not found!)",
    "OPSP0008": "MAX SUBSCRIBE OVER",
    "OPSP0011": "invalid appkey : NOT FOUND",
    "OPSP8991": "SUBSCRIBE ERROR : invalid tr_id",
    "OPSP8997": "JSON PARSING ERROR : invalid tr_type",
    "OPSP8998": "JSON PARSING ERROR : invalid custtype",
    "OPSP9990": "JSON PARSING ERROR : tr_key not found",
    "OPSP9991": "JSON PARSING ERROR : input not found",
    "OPSP9992": "JSON PARSING ERROR : body not found",
    "OPSP9997": "JSON PARSING ERROR : custtype not found",
    "OPSP9998": "JSON PARSING ERROR : header not found",
    "OPSP9999": "JSON PARSING ERROR : invalid json format",
}


@dataclass(frozen=True, slots=True)
class RealtimeTr:
    """A realtime TR the environment serves."""

    tr_id: str
    encrypted: bool
    columns: int


def _catalog(env: EnvName) -> dict[str, RealtimeTr]:
    trs: dict[str, RealtimeTr] = {}
    for entry in websocket_trs():
        demo = entry.get("demo_tr_id")
        tr_id = str(demo) if env == "virtual" and demo else str(entry["tr_id"])
        trs[tr_id] = RealtimeTr(tr_id, bool(entry.get("encrypted")), len(entry.get("columns", ())))
    return trs


def encrypt_payload(key: str, iv: str, text: str) -> str:
    """AES-256-CBC with PKCS#7 padding, base64: how the notice TRs' payloads travel (PROTOCOL.md §5)."""
    padder = padding.PKCS7(128).padder()
    data = padder.update(text.encode("utf-8")) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key.encode()), modes.CBC(iv.encode())).encryptor()
    return base64.b64encode(encryptor.update(data) + encryptor.finalize()).decode()


def data_frame(tr_id: str, records: Sequence[Sequence[str]], *, encrypted: bool = False) -> str:
    """``0|TR_ID|COUNT|payload``: COUNT records' fields joined by ``^`` (unencrypted form)."""
    payload = "^".join(value for record in records for value in record)
    return f"{1 if encrypted else 0}|{tr_id}|{len(records):03d}|{payload}"


@dataclass(eq=False)
class WsConnection:
    """One client connection and its registrations."""

    ws: web.WebSocketResponse
    env: EnvName
    path: str
    app: AppCredential | None = None
    subscriptions: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    """(tr_id, tr_key) → (key, iv) of the subscribe reply."""
    ciphers: dict[str, tuple[str, str]] = field(default_factory=dict)
    """tr_id → (key, iv): one pair per TR per connection, as the client keeps them."""
    pongs: int = 0
    transport: asyncio.BaseTransport | None = None

    def cipher(self, tr_id: str) -> tuple[str, str]:
        """The key and IV this connection uses for ``tr_id``."""
        pair = self.ciphers.get(tr_id)
        if pair is None:
            key = "".join(secrets.choice(string.ascii_lowercase) for _ in range(32))
            iv = secrets.token_hex(8)
            pair = self.ciphers[tr_id] = (key, iv)
        return pair


class WsHub:
    """Every connection of one environment's WebSocket listener."""

    def __init__(
        self,
        env: EnvName,
        gateway: Gateway,
        *,
        heartbeat_interval: float = 10.0,
        max_subscriptions: int = MAX_SUBSCRIPTIONS,
        heartbeats_enabled: Callable[[], bool] = lambda: True,
    ) -> None:
        self.env = env
        self.gateway = gateway
        self.heartbeat_interval = heartbeat_interval
        self.max_subscriptions = max_subscriptions
        self.heartbeats_enabled = heartbeats_enabled
        self.trs = _catalog(env)
        self.connections: set[WsConnection] = set()
        self.listeners: list[Callable[[WsConnection, str, str, bool], None]] = []
        """Called with (connection, tr_id, tr_key, subscribed) on every (un)registration."""

    # -- queries ----------------------------------------------------------------------------------

    def subscribers(self, tr_id: str, tr_key: str) -> list[WsConnection]:
        """Connections registered for (tr_id, tr_key)."""
        return [c for c in self.connections if (tr_id, tr_key) in c.subscriptions]

    def subscriptions(self) -> set[tuple[str, str]]:
        """Every (tr_id, tr_key) some connection is registered for."""
        return {pair for c in self.connections for pair in c.subscriptions}

    def _count(self, appkey: str) -> int:
        return sum(len(c.subscriptions) for c in self.connections if c.app is not None and c.app.appkey == appkey)

    # -- publishing -------------------------------------------------------------------------------

    async def publish(self, tr_id: str, tr_key: str, records: Sequence[Sequence[str]]) -> int:
        """Send ``records`` of ``tr_id`` to the subscribers of (tr_id, tr_key); returns how many got it."""
        spec = self.trs.get(tr_id)
        encrypted = spec.encrypted if spec is not None else False
        plain = data_frame(tr_id, records)
        sent = 0
        for connection in self.subscribers(tr_id, tr_key):
            if encrypted:
                key, iv = connection.cipher(tr_id)
                payload = "^".join(value for record in records for value in record)
                frame = f"1|{tr_id}|{len(records):03d}|{encrypt_payload(key, iv, payload)}"
            else:
                frame = plain
            if await self._send(connection, frame):
                sent += 1
        return sent

    async def broadcast_raw(self, frame: str) -> int:
        """Send ``frame`` as is to every connection (fault injection)."""
        sent = 0
        for connection in list(self.connections):
            if await self._send(connection, frame):
                sent += 1
        return sent

    async def drop_all(self) -> None:
        """Drop every connection without a close handshake."""
        for connection in list(self.connections):
            transport = connection.transport
            if isinstance(transport, asyncio.Transport):
                transport.abort()
            self.connections.discard(connection)

    async def close_all(self) -> None:
        """Close every connection cleanly (server shutdown)."""
        for connection in list(self.connections):
            with contextlib.suppress(Exception):
                await connection.ws.close()

    @staticmethod
    async def _send(connection: WsConnection, frame: str) -> bool:
        if connection.ws.closed:
            return False
        try:
            await connection.ws.send_str(frame)
        except (ConnectionError, RuntimeError):
            return False
        return True

    # -- the listener -----------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Serve one WebSocket connection."""
        ws = web.WebSocketResponse(autoping=True, heartbeat=None, max_msg_size=1 << 20)
        await ws.prepare(request)
        connection = WsConnection(ws, self.env, request.path, transport=request.transport)
        self.connections.add(connection)
        heartbeat = asyncio.get_running_loop().create_task(self._heartbeat(connection))
        try:
            async for message in ws:
                if message.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                    data = message.data
                    try:
                        reply = self.on_text(connection, data if isinstance(data, str) else data.decode("utf-8"))
                    except UnicodeDecodeError:
                        continue
                    if reply is DROP:
                        if isinstance(request.transport, asyncio.Transport):
                            request.transport.abort()
                        break
                    if reply is not None:
                        await self._send(connection, json.dumps(reply, ensure_ascii=False))
                elif message.type == WSMsgType.ERROR:
                    break
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
            self._forget(connection)
        return ws

    def _forget(self, connection: WsConnection) -> None:
        self.connections.discard(connection)
        for tr_id, tr_key in list(connection.subscriptions):
            self._notify(connection, tr_id, tr_key, False)
        connection.subscriptions.clear()

    def _notify(self, connection: WsConnection, tr_id: str, tr_key: str, subscribed: bool) -> None:
        for listener in self.listeners:
            listener(connection, tr_id, tr_key, subscribed)

    async def _heartbeat(self, connection: WsConnection) -> None:
        while not connection.ws.closed:
            await asyncio.sleep(self.heartbeat_interval)
            if not self.heartbeats_enabled():
                continue
            stamp = self.gateway.now().astimezone(KST).strftime("%Y%m%d%H%M%S")
            frame = json.dumps({"header": {"tr_id": "PINGPONG", "datetime": stamp}})
            if not await self._send(connection, frame):
                return

    # -- control messages -------------------------------------------------------------------------

    @staticmethod
    def _reply(
        tr_id: str, tr_key: str, code: str, *, encrypt: str = "N", output: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"rt_cd": "0" if code in ("OPSP0000", "OPSP0001") else "1", "msg_cd": code}
        body["msg1"] = _MESSAGES[code]
        if output is not None:
            body["output"] = dict(output)
        return {"header": {"tr_id": tr_id, "tr_key": tr_key, "encrypt": encrypt}, "body": body}

    def on_text(self, connection: WsConnection, text: str) -> dict[str, Any] | None:
        """Handle one client text frame; the control reply, ``None`` for a PINGPONG echo, or :data:`DROP`."""
        parsed = _frame(text)
        if isinstance(parsed, str):
            return self._reply("", "", parsed)
        header, body = parsed
        if header.get("tr_id") == "PINGPONG":
            connection.pongs += 1
            return None
        if not isinstance(body, dict):
            return self._reply("", "", "OPSP9992")
        data = body.get("input")
        if not isinstance(data, dict):
            return self._reply("", "", "OPSP9991")
        tr_id = str(data.get("tr_id") or "")
        tr_key = data.get("tr_key")
        if not isinstance(tr_key, str) or not tr_key:
            return self._reply(tr_id, "", "OPSP9990")
        admitted = self._admit(header, tr_id)
        if isinstance(admitted, str):
            return self._reply(tr_id, tr_key, admitted)
        app, spec = admitted
        if spec.encrypted and tr_key != app.hts_id:
            # Notices are bound to the approval key's HTS ID. The broker's README: a wrong HTS ID ends in
            # "No close frame received", the connection dropped without a reply (PROTOCOL.md §5).
            return DROP
        connection.app = app
        subscribe = header.get("tr_type") == "1"
        return self._toggle(connection, app, (tr_id, tr_key), subscribe=subscribe, spec=spec)

    def _admit(self, header: Mapping[str, Any], tr_id: str) -> tuple[AppCredential, RealtimeTr] | str:
        """The approval key's app and the TR, or the code refusing the request's header."""
        app = self.gateway.approval(self.env, header.get("approval_key"))
        if app is None:
            return "OPSP0011"
        custtype = header.get("custtype")
        if not custtype:
            return "OPSP9997"
        if custtype not in ("P", "B"):
            return "OPSP8998"
        if header.get("tr_type") not in ("1", "2"):
            return "OPSP8997"
        spec = self.trs.get(tr_id)
        if spec is None:
            return "OPSP8991"
        return app, spec

    def _toggle(
        self, connection: WsConnection, app: AppCredential, pair: tuple[str, str], *, subscribe: bool, spec: RealtimeTr
    ) -> dict[str, Any]:
        """Register (``tr_type`` 1) or remove (2) a subscription of an admitted request."""
        tr_id, tr_key = pair
        encrypt = "Y" if spec.encrypted else "N"
        if not subscribe:
            if pair not in connection.subscriptions:
                return self._reply(tr_id, tr_key, "OPSP0003", encrypt=encrypt)
            del connection.subscriptions[pair]
            self._notify(connection, tr_id, tr_key, False)
            return self._reply(tr_id, tr_key, "OPSP0001", encrypt=encrypt)
        if pair in connection.subscriptions:
            return self._reply(tr_id, tr_key, "OPSP0002", encrypt=encrypt)
        if self._count(app.appkey) >= self.max_subscriptions:
            return self._reply(tr_id, tr_key, "OPSP0008", encrypt=encrypt)
        key, iv = connection.cipher(tr_id)
        connection.subscriptions[pair] = (key, iv)
        self._notify(connection, tr_id, tr_key, True)
        return self._reply(tr_id, tr_key, "OPSP0000", encrypt=encrypt, output={"iv": iv, "key": key})


def _frame(text: str) -> tuple[Mapping[str, Any], object] | str:
    """A client frame's header and body, or the code refusing a frame that is no JSON object with a header."""
    try:
        message = json.loads(text)
    except (ValueError, RecursionError):
        return "OPSP9999"
    if not isinstance(message, dict):
        return "OPSP9999"
    header = message.get("header")
    if not isinstance(header, dict):
        return "OPSP9998"
    return header, message.get("body")


def ws_app(hub: WsHub) -> web.Application:
    """The aiohttp application of one WebSocket listener: ``/``, ``/tryitout`` and ``/tryitout/<TR>``."""
    app = web.Application()
    app.router.add_get("/", hub.handle)
    app.router.add_get("/tryitout", hub.handle)
    app.router.add_get("/tryitout/{tr_id}", hub.handle)
    return app

"""What travels between a gateway and its clients: subjects, API calls, answers, errors and the profile.

Every message is JSON (an answer's body travels as the upstream's raw bytes after one JSON header line, so a
client decodes it exactly as it decodes a direct answer). Nothing here ever carries an app key, a secret, an
access token or an approval key: a call is the environment-free :class:`~pykis.protocol.request.ApiCall`, and
the gateway adds the credentials itself.
"""

from __future__ import annotations

import json
import logging
import ssl
from typing import TYPE_CHECKING, Any

import msgspec

from pykis.errors import (
    KisAPIError,
    KisDecodeError,
    KisError,
    KisGatewayUnreachableError,
    KisHTTPError,
    KisTimeoutError,
    KisTransportError,
    KisValidationError,
)
from pykis.protocol.envelope import Envelope, api_error
from pykis.protocol.request import ApiCall

if TYPE_CHECKING:
    from nats.aio.client import Client

__all__ = [
    "DEFAULT_PREFIX",
    "NatsOptions",
    "Subjects",
    "decode_answer",
    "decode_call",
    "encode_call",
    "encode_envelope",
    "encode_error",
    "open_connection",
]

DEFAULT_PREFIX = "kis"
log = logging.getLogger("pykis.gateway")

QUEUE_GROUP = "pykis-gateway"
"""Gateways answer REST calls as one queue group: each request reaches exactly one of them, never two."""


class Subjects(msgspec.Struct, frozen=True):
    """The NATS subjects of one gateway deployment (``prefix`` separates several on one NATS server)."""

    prefix: str = DEFAULT_PREFIX

    @property
    def rest(self) -> str:
        """Request/reply: one REST call."""
        return f"{self.prefix}.rest"

    @property
    def hello(self) -> str:
        """Request/reply: the profile (environments, accounts, hosts; never a secret)."""
        return f"{self.prefix}.hello"

    @property
    def status(self) -> str:
        """Request/reply: budgets, subscription counts per connection and consumers."""
        return f"{self.prefix}.status"

    @property
    def recover(self) -> str:
        """Request/reply: the journaled answer of a non-idempotent call whose reply was lost (never sends)."""
        return f"{self.prefix}.recover"

    @property
    def subscribe(self) -> str:
        """Request/reply: take or release a share of one realtime registration."""
        return f"{self.prefix}.sub"

    @property
    def restored(self) -> str:
        """Published by a gateway when it (re)starts: consumers announce their registrations again."""
        return f"{self.prefix}.restored"

    def realtime(self, tr_id: str, key: str) -> str:
        """Where the frames of (TR, key) are published: ``kis.rt.<TR>.<key>``."""
        return f"{self.prefix}.rt.{tr_id}.{key}"


class NatsOptions(msgspec.Struct, frozen=True):
    """Where NATS is and how to log in; each field is handed to ``nats.connect`` as it is.

    ``servers``: ``nats://host:port`` (or several, comma-separated); ``user``/``password``, ``token``,
    ``credentials`` (a ``.creds`` file) or ``nkeys_seed`` (a seed file) authenticate; ``tls_ca``, ``tls_cert``
    and ``tls_key`` build the TLS context (``tls://`` URLs). ``request_timeout`` bounds one REST call through the
    gateway, queueing for the key's rate budget included.
    """

    servers: str = "nats://127.0.0.1:4222"
    user: str | None = None
    password: str | None = None
    token: str | None = None
    credentials: str | None = None
    nkeys_seed: str | None = None
    tls_ca: str | None = None
    tls_cert: str | None = None
    tls_key: str | None = None
    prefix: str = DEFAULT_PREFIX
    connect_timeout: float = 2.0
    request_timeout: float = 30.0

    def __repr__(self) -> str:  # the password and the token are secrets: never shown
        secret = ("password", "token")
        shown = (
            f"{name}='***'" if name in secret and value is not None else f"{name}={value!r}"
            for name, value in zip(self.__struct_fields__, msgspec.structs.astuple(self), strict=True)
        )
        return f"NatsOptions({', '.join(shown)})"

    def connect_kwargs(self, name: str) -> dict[str, Any]:
        """The keyword arguments of ``nats.connect``."""
        kwargs: dict[str, Any] = {
            "servers": [part.strip() for part in self.servers.split(",") if part.strip()],
            "name": name,
            "connect_timeout": self.connect_timeout,
            "allow_reconnect": True,
            "max_reconnect_attempts": -1,
            "reconnect_time_wait": 0.25,
        }
        for option, value in (
            ("user", self.user),
            ("password", self.password),
            ("token", self.token),
            ("user_credentials", self.credentials),
            ("nkeys_seed", self.nkeys_seed),
        ):
            if value is not None:
                kwargs[option] = value
        if self.tls_ca or self.tls_cert:
            context = ssl.create_default_context(cafile=self.tls_ca)
            if self.tls_cert:
                context.load_cert_chain(self.tls_cert, self.tls_key)
            kwargs["tls"] = context
        return kwargs


async def open_connection(options: NatsOptions, name: str) -> Client:
    """A NATS connection that fails fast when the server cannot be reached now (two attempts, a typed
    :class:`~pykis.errors.KisGatewayUnreachableError`), and once connected reconnects for ever."""
    from nats.aio.client import Client  # noqa: PLC0415 - nats-py is the gateway extra, loaded when used
    from nats.errors import Error as NatsError  # noqa: PLC0415

    async def quiet(error: Exception) -> None:
        # nats-py prints every failed attempt with a traceback; one log line says enough.
        log.debug("NATS %s: %s", name, error)

    async def disconnected() -> None:
        if not client.is_closed:  # closing on purpose disconnects too
            log.warning("NATS %s: disconnected from %s; reconnecting", name, options.servers)

    async def reconnected() -> None:
        log.info("NATS %s: reconnected to %s", name, options.servers)

    kwargs = options.connect_kwargs(name)
    kwargs.update(max_reconnect_attempts=1, error_cb=quiet, disconnected_cb=disconnected, reconnected_cb=reconnected)
    client = Client()
    try:
        await client.connect(**kwargs)
    except (TimeoutError, OSError, NatsError) as exc:
        raise KisGatewayUnreachableError(f"cannot reach NATS at {options.servers}: {type(exc).__name__}") from None
    client.options["max_reconnect_attempts"] = -1  # from now on, outlive any NATS restart
    return client


# ------------------------------------------------------------------------------------------------ calls


def encode_call(call: ApiCall, request_id: str) -> bytes:
    """One REST call as the gateway receives it; ``request_id`` names it in the gateway's journal."""
    return json.dumps(
        {
            "id": request_id,
            "method": call.method,
            "path": call.path,
            "tr_id": call.tr_id,
            "params": dict(call.params),
            "virtual_tr_id": call.virtual_tr_id,
            "virtual_supported": call.virtual_supported,
            "trading": call.trading,
            "idempotent": call.idempotent,
            "tr_cont": call.tr_cont,
        },
        ensure_ascii=False,
    ).encode()


def decode_call(payload: bytes) -> tuple[ApiCall, str]:
    """The call and its request id; :class:`KisValidationError` for anything else."""
    try:
        data = json.loads(payload)
        params = data["params"]
        if not isinstance(params, dict) or not all(isinstance(v, str) for v in params.values()):
            raise TypeError("params must map names to strings")
        if data["method"] not in ("GET", "POST") or not isinstance(data["path"], str):
            raise TypeError("bad method or path")
        call = ApiCall(
            method=data["method"],
            path=data["path"],
            tr_id=_optional_str(data.get("tr_id")),
            params=params,
            virtual_tr_id=_optional_str(data.get("virtual_tr_id")),
            virtual_supported=bool(data.get("virtual_supported", True)),
            trading=bool(data.get("trading", False)),
            idempotent=None if data.get("idempotent") is None else bool(data["idempotent"]),
            tr_cont=str(data.get("tr_cont", "")),
        )
        return call, str(data.get("id", ""))
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise KisValidationError(f"not a gateway call: {exc}") from None


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


# ------------------------------------------------------------------------------------------------ answers


def encode_envelope(envelope: Envelope) -> bytes:
    """A successful answer: one JSON header line, then the upstream body's bytes untouched."""
    head = {"ok": True, "tr_id": envelope.tr_id, "tr_cont": envelope.tr_cont, "msg_cd": envelope.msg_cd}
    head["msg1"] = envelope.msg1
    body = envelope.raw or json.dumps(envelope.body, ensure_ascii=False).encode()
    return json.dumps(head, ensure_ascii=False).encode() + b"\n" + body


def encode_error(error: BaseException) -> bytes:
    """A failed call as the client re-raises it: the same typed error a direct call would have raised."""
    data: dict[str, Any] = {"ok": False, "tr_id": getattr(error, "tr_id", None)}
    if isinstance(error, KisAPIError):
        data.update(kind="api", rt_cd=error.rt_cd, msg_cd=error.msg_cd, msg1=error.msg1, status=error.status)
    elif isinstance(error, KisHTTPError):
        data.update(kind="http", status=error.status, body=error.body)
    elif isinstance(error, KisDecodeError):
        data.update(kind="decode", reason=error.reason, status=error.status)
    elif isinstance(error, KisTimeoutError):
        data.update(kind="timeout", message=str(error.args[0]) if error.args else "timed out")
    elif isinstance(error, KisValidationError):
        data.update(kind="validation", message=str(error))
    elif isinstance(error, KisTransportError):
        data.update(kind="transport", message=str(error.args[0]) if error.args else "transport error")
    else:
        # An unexpected failure inside the gateway: to the client its outcome is as unknown as a cut connection.
        data.update(kind="transport", message=f"gateway failure: {type(error).__name__}")
    return json.dumps(data, ensure_ascii=False).encode()


def decode_answer(payload: bytes) -> Envelope:
    """The envelope of a gateway answer, or the typed error it carries (raised)."""
    head_bytes, _, body = payload.partition(b"\n")
    try:
        head = json.loads(head_bytes)
        if not isinstance(head, dict):
            raise TypeError("not an object")
    except (ValueError, TypeError, UnicodeDecodeError):
        raise KisDecodeError("the gateway's answer is not a gateway answer", tr_id=None) from None
    tr_id = head.get("tr_id")
    if head.get("ok"):
        return Envelope(body, tr_id, str(head.get("tr_cont", "")), str(head.get("msg_cd", "")), str(head.get("msg1")))
    raise _error(head, tr_id)


def _error(head: dict[str, Any], tr_id: str | None) -> KisError:
    kind = head.get("kind")
    if kind == "api":
        return api_error(
            str(head.get("rt_cd")), str(head.get("msg_cd")), str(head.get("msg1")), tr_id, int(head.get("status", 200))
        )
    if kind == "http":
        return KisHTTPError(int(head.get("status", 500)), tr_id=tr_id, body=str(head.get("body", "")))
    if kind == "decode":
        status = head.get("status")
        return KisDecodeError(str(head.get("reason")), tr_id=tr_id, status=None if status is None else int(status))
    if kind == "timeout":
        return KisTimeoutError(str(head.get("message")), tr_id=tr_id)
    if kind == "validation":
        return KisValidationError(str(head.get("message")))
    return KisTransportError(str(head.get("message", "gateway failure")), tr_id=tr_id)

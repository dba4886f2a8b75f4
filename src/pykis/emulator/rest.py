"""The emulator's REST surface: a registry of endpoints keyed by (method, path), driven by the catalog.

Adding an endpoint is one declaration::

    @registry.endpoint("/uapi/domestic-stock/v1/quotations/inquire-price")
    def inquire_price(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse: ...

The catalog entry of the path (``rest.json``) supplies the HTTP method, the TR IDs of each environment,
``demo_supported`` and the required parameters; the dispatcher enforces all of them before the handler
runs, in the order the real service does:

1. unknown path (or a path with another method) → HTTP 404;
2. gateway: app key / secret (EGW00102–105), the key's environment (EGW02004 / EGW02007), the per-key
   rate window (EGW00201), the bearer token (EGW00205 / EGW00121 / EGW00123) → HTTP 500 envelope;
3. TR routing: legacy aliases (PROTOCOL.md §11) are accepted; virtual TRs on the real host (EGW02005),
   real-only TRs or ``demo_supported: false`` APIs on the virtual host (EGW02006), a TR that is not
   this path's (OPSQ0002) → HTTP 500 envelope;
4. a required parameter absent → HTTP 200 ``{"rt_cd": "2", "msg_cd": "OPSQ2001",
   "msg1": "ERROR INPUT FIELD NOT FOUND [NAME]"}`` (users quote this message and rt_cd);
5. the handler. Query parameter names match in any case (``CTX_AREA_FK100`` or ``ctx_area_fk100``).

Every answer carries ``Content-Type: application/json; charset=utf-8`` and the ``tr_cont`` header
(F/M more data follows, D/E last page; :func:`paginate` computes it for list endpoints). Header names are
written as the gateway writes them: the standard ones capitalised (``Content-Type``), the KIS ones
lower-case (``tr_id``, ``tr_cont``, ``gt_uid``). The broker's ``examples_user/kis_auth.py``
(``APIResp._setHeader``) makes a ``namedtuple`` of every all-lowercase header name, which a lower-case
``content-type`` would break; aiohttp sends a name exactly as it is spelled here.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from aiohttp import web

from pykis.emulator.corrections import optional_params
from pykis.emulator.gateway import (
    AppCredential,
    EnvName,
    Gateway,
    GatewayError,
    IssuedToken,
    TrCatalog,
    TrRoute,
)

if TYPE_CHECKING:
    from pykis.emulator.faults import Faults

__all__ = [
    "ApiRequest",
    "ApiResponse",
    "EmulatorContext",
    "Endpoint",
    "EndpointRegistry",
    "Page",
    "business_error",
    "invalid_field",
    "missing_field",
    "ok",
    "paginate",
]

T = TypeVar("T")
Flow = Literal["uapi", "oauth", "hashkey"]
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
FAULT_DELAY = web.RequestKey("pykis.fault_delay", float)
"""Request key: seconds ``Faults.delay_rest`` holds an admitted API call before processing it."""
SUCCESS_MSG_CD = "MCA00000"
SUCCESS_MSG1 = "정상처리 되었습니다."


@dataclass(slots=True)
class EmulatorContext:
    """What handlers may use: the environment's gateway, the market and the emulator clock."""

    gateway: Gateway
    market: Any
    registry: EndpointRegistry
    faults: Faults | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    def now(self) -> datetime:
        """The emulator clock's current time (UTC)."""
        return self.gateway.now()


@dataclass(frozen=True, slots=True)
class ApiRequest:
    """One admitted request, after every gateway check."""

    env: EnvName
    method: str
    path: str
    tr_id: str
    """The canonical TR ID (legacy aliases already resolved)."""
    raw_tr_id: str
    params: Mapping[str, str]
    """Query parameters (GET) or top-level body fields (POST), names upper-cased."""
    body: Mapping[str, Any]
    headers: Mapping[str, str]
    app: AppCredential
    token: IssuedToken | None
    tr_cont: str
    """The request's ``tr_cont`` header: ``""`` on a first call, ``"N"`` on a continuation."""

    @property
    def continued(self) -> bool:
        """Whether the client asked for the next page (``tr_cont: N``)."""
        return self.tr_cont == "N"

    def param(self, name: str, default: str = "") -> str:
        """A parameter by name, in any case."""
        return self.params.get(name.upper(), default)

    def has(self, name: str) -> bool:
        """Whether the client sent the parameter at all (an empty value counts as sent)."""
        return name.upper() in self.params


@dataclass(slots=True)
class ApiResponse:
    """A handler's answer: the JSON body, the HTTP status and the ``tr_cont`` response header."""

    body: dict[str, Any]
    status: int = 200
    tr_cont: str = "D"


def ok(
    outputs: Mapping[str, Any] | None = None,
    *,
    tr_cont: str = "D",
    msg_cd: str = SUCCESS_MSG_CD,
    msg1: str = SUCCESS_MSG1,
) -> ApiResponse:
    """A success envelope: ``rt_cd`` "0" followed by the cursor fields and output blocks."""
    body: dict[str, Any] = {}
    body.update(outputs or {})
    body["rt_cd"] = "0"
    body["msg_cd"] = msg_cd
    body["msg1"] = msg1
    return ApiResponse(body, 200, tr_cont)


def business_error(rt_cd: str, msg_cd: str, msg1: str) -> ApiResponse:
    """A refusal by the trading system: HTTP 200 with ``rt_cd`` other than "0" (PROTOCOL.md §4)."""
    return ApiResponse({"rt_cd": rt_cd, "msg_cd": msg_cd, "msg1": msg1}, 200, "D")


def missing_field(name: str) -> ApiResponse:
    """A required parameter was not sent (the shape users quote, rt_cd "2")."""
    return business_error("2", "OPSQ2001", f"ERROR INPUT FIELD NOT FOUND [{name.upper()}]")


def invalid_field(name: str) -> ApiResponse:
    """A parameter's value is not acceptable (``ERROR INVALID FID_COND_MRKT_DIV_CODE`` style)."""
    return business_error("2", "OPSQ2001", f"ERROR INVALID {name.upper()}")


# --------------------------------------------------------------------------------------- paging


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list: its rows, the ``tr_cont`` response header and the cursor body fields."""

    rows: list[T]
    tr_cont: str
    cursors: dict[str, str]

    @property
    def more(self) -> bool:
        """Whether another page follows."""
        return self.tr_cont in ("F", "M")


def _width(field_name: str) -> int:
    digits = "".join(ch for ch in field_name if ch.isdigit())
    return int(digits) if digits else 0


def paginate(
    rows: Sequence[T],
    request: ApiRequest,
    *,
    page_size: int,
    query_key: str,
    cursor: tuple[str, str] = ("ctx_area_fk100", "ctx_area_nk100"),
) -> Page[T]:
    """Cut ``rows`` into pages the KIS way (PROTOCOL.md §4).

    ``cursor`` names the body fields (lower case, e.g. ``ctx_area_fk200``/``ctx_area_nk200``); the
    client copies them into the request fields of the same name in any case and sends ``tr_cont: N``.
    The FK cursor holds ``query_key`` (the search condition), the NK cursor the next offset; both are
    space-padded to the width in their name, as the real service pads them. A continuation whose FK
    does not match the query starts over. ``tr_cont``: F (first page, more), D (only page),
    M (continuation, more), E (continuation, last).
    """
    if page_size < 1:
        raise ValueError("page_size must be positive")
    fk_name, nk_name = cursor
    offset = 0
    if request.continued:
        fk = request.param(fk_name).strip()
        nk = request.param(nk_name).strip()
        if fk == query_key and nk.isdigit():
            offset = min(int(nk), len(rows))
    chunk = list(rows[offset : offset + page_size])
    following = offset + len(chunk)
    more = following < len(rows)
    # First page: F (more) or D (only page); continuation: M (more) or E (last).
    tr_cont = ("M" if more else "E") if request.continued else ("F" if more else "D")
    fk_value = query_key.ljust(_width(fk_name))
    nk_value = (str(following) if more else "").ljust(_width(nk_name))
    return Page(chunk, tr_cont, {fk_name: fk_value, nk_name: nk_value})


# --------------------------------------------------------------------------------------- registry

Handler = Callable[[ApiRequest, EmulatorContext], "ApiResponse | Awaitable[ApiResponse]"]
OAuthHandler = Callable[[EnvName, Mapping[str, Any], EmulatorContext], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One served (method, path): its handler and the catalog facts that drive validation."""

    method: str
    path: str
    flow: Flow
    handler: Handler | None = None
    oauth_handler: OAuthHandler | None = None
    route: TrRoute | None = None
    required: tuple[str, ...] = ()


class EndpointRegistry:
    """Endpoints keyed by (method, path); the catalog supplies the method, TR IDs and required params."""

    def __init__(self, catalog: TrCatalog | None = None) -> None:
        self.catalog = catalog or TrCatalog.load()
        self._endpoints: dict[tuple[str, str], Endpoint] = {}

    def add(self, path: str, handler: Handler, *, required: Sequence[str] | None = None) -> Endpoint:
        """Serve a catalogued ``/uapi`` path with ``handler``.

        ``required`` overrides the catalog's required parameters (names as the catalog spells them); by
        default they are the catalog's less those the broker's own code omits
        (:data:`pykis.emulator.corrections.OPTIONAL_PARAMS`).
        """
        route = self.catalog.route(path)
        if route is None:
            raise KeyError(f"{path} is not in the catalog (rest.json)")
        optional = optional_params(path)
        names = (
            tuple(required)
            if required is not None
            else tuple(
                str(p["name"])
                for p in route.entry.get("params", ())
                if p.get("required") and str(p["name"]).upper() not in optional
            )
        )
        endpoint = Endpoint(route.method, path, "uapi", handler=handler, route=route, required=names)
        self._endpoints[(route.method, path)] = endpoint
        return endpoint

    def endpoint(self, path: str, *, required: Sequence[str] | None = None) -> Callable[[Handler], Handler]:
        """Decorator form of :meth:`add`."""

        def register(handler: Handler) -> Handler:
            self.add(path, handler, required=required)
            return handler

        return register

    def add_oauth(self, path: str, handler: OAuthHandler) -> None:
        """Serve an OAuth endpoint (POST, JSON body, no token, the 403 error shape)."""
        self._endpoints[("POST", path)] = Endpoint("POST", path, "oauth", oauth_handler=handler)

    def add_hashkey(self, path: str = "/uapi/hashkey") -> None:
        """Serve ``/uapi/hashkey`` (app key headers, no token, no TR ID)."""
        self._endpoints[("POST", path)] = Endpoint("POST", path, "hashkey")

    def get(self, method: str, path: str) -> Endpoint | None:
        """The endpoint serving ``method path``."""
        return self._endpoints.get((method.upper(), path))

    def __iter__(self) -> Any:
        return iter(self._endpoints.values())

    def __len__(self) -> int:
        return len(self._endpoints)


# --------------------------------------------------------------------------------------- dispatch


def json_response(
    body: Mapping[str, Any], *, status: int = 200, tr_cont: str | None = None, tr_id: str | None = None
) -> web.Response:
    """Serialize an answer the way the gateway does: UTF-8 JSON with the KIS response headers."""
    headers = {"Content-Type": JSON_CONTENT_TYPE}
    if tr_cont is not None:
        headers["tr_cont"] = tr_cont
    if tr_id is not None:
        headers["tr_id"] = tr_id
        headers["gt_uid"] = secrets.token_hex(16)
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return web.Response(body=text.encode("utf-8"), status=status, headers=headers)


MASTER_PREFIX = "/common/master/"


def master_file(name: str, market: Any) -> bytes | None:
    """The bytes of a master file from the domain's ``pykis.emulator.masters`` (``master_zip(name, market)``)."""
    if "/" in name or not name:
        return None
    try:
        masters = importlib.import_module("pykis.emulator.masters")
    except ImportError:
        return None
    build = getattr(masters, "master_zip", None)
    if not callable(build):
        return None
    try:
        data = build(name, market)
    except (KeyError, ValueError):
        return None
    return data if isinstance(data, bytes) else None


def not_found() -> web.Response:
    """An unknown path. The real body is unknown; a plain HTTP 404 carries no envelope."""
    return web.Response(status=404, text="404 Not Found", content_type="text/plain")


async def _json_body(request: web.Request) -> Any:
    raw = await request.read()
    if not raw:
        return {}
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


class RestService:
    """The aiohttp handler of one environment's REST listener."""

    def __init__(self, env: EnvName, ctx: EmulatorContext) -> None:
        self.env = env
        self.ctx = ctx

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if request.method == "GET" and request.path.startswith(MASTER_PREFIX):
            return self._master(request.path[len(MASTER_PREFIX) :])
        endpoint = self.ctx.registry.get(request.method, request.path)
        if endpoint is None:
            route = self.ctx.registry.catalog.route(request.path)
            if route is None or route.method != request.method.upper():
                return not_found()
            return await self._not_emulated(request, route)
        if endpoint.flow == "oauth":
            return await self._oauth(request, endpoint)
        if endpoint.flow == "hashkey":
            return await self._hashkey(request)
        return await self._uapi(request, endpoint)

    def _master(self, name: str) -> web.StreamResponse:
        """A symbol master file, at the path of the broker's download host (PROTOCOL.md §8), no auth."""
        data = master_file(name, self.ctx.market)
        if data is None:
            return not_found()
        return web.Response(body=data, content_type="application/zip" if name.endswith(".zip") else None)

    async def _oauth(self, request: web.Request, endpoint: Endpoint) -> web.Response:
        assert endpoint.oauth_handler is not None
        body = await _json_body(request)
        if not isinstance(body, dict):
            error = GatewayError("EGW00101", oauth=True)
            return json_response(error.body(), status=error.status)
        try:
            answer = endpoint.oauth_handler(self.env, body, self.ctx)
        except GatewayError as error:
            return json_response(error.body(), status=error.status)
        return json_response(answer)

    async def _hashkey(self, request: web.Request) -> web.Response:
        gateway = self.ctx.gateway
        try:
            app, _ = gateway.authorize(self.env, request.headers, needs_token=False)
        except GatewayError as error:
            return json_response(error.body(), status=error.status)
        body = await _json_body(request)
        if not isinstance(body, dict):
            return json_response(GatewayError("EGW00101").body(), status=500)
        return json_response(gateway.hashkey(app, body))

    async def _admit(
        self, request: web.Request, route: TrRoute
    ) -> tuple[AppCredential, IssuedToken | None, str] | web.Response:
        headers = request.headers
        tr_id = headers.get("tr_id", "").strip()
        try:
            app, token = self.ctx.gateway.authorize(self.env, headers)
            canonical = self.ctx.gateway.catalog.resolve(self.env, route, tr_id)
        except GatewayError as error:
            return json_response(error.body(), status=error.status, tr_id=tr_id or None, tr_cont="")
        return app, token, canonical

    async def _not_emulated(self, request: web.Request, route: TrRoute) -> web.Response:
        admitted = await self._admit(request, route)
        if isinstance(admitted, web.Response):
            return admitted
        # A real API the emulator does not serve yet: say so plainly instead of inventing data.
        body = {"rt_cd": "1", "msg_cd": "EMU00501", "msg1": f"emulator: {route.path} is not emulated yet"}
        return json_response(body, status=501, tr_cont="D", tr_id=admitted[2])

    async def _uapi(self, request: web.Request, endpoint: Endpoint) -> web.Response:
        assert endpoint.route is not None and endpoint.handler is not None
        admitted = await self._admit(request, endpoint.route)
        if isinstance(admitted, web.Response):
            return admitted
        app, token, canonical = admitted
        held = request.get(FAULT_DELAY)
        if held:
            await asyncio.sleep(held)  # Faults.delay_rest: admitted and counted on arrival, processed late
        raw_tr_id = request.headers.get("tr_id", "").strip()
        body: Mapping[str, Any] = {}
        if endpoint.method == "GET":
            params = {name.upper(): value for name, value in request.query.items()}
        else:
            parsed = await _json_body(request)
            if not isinstance(parsed, dict):
                error = {"rt_cd": "1", "msg_cd": "OPSQ9997", "msg1": "JSON PARSING ERROR : invalid json format"}
                return json_response(error, status=500, tr_id=raw_tr_id, tr_cont="")
            body = parsed
            params = {str(k).upper(): v if isinstance(v, str) else json.dumps(v) for k, v in parsed.items()}
        for name in endpoint.required:
            if name.upper() not in params:
                answer = missing_field(name)
                return json_response(answer.body, status=answer.status, tr_cont=answer.tr_cont, tr_id=raw_tr_id)
        api_request = ApiRequest(
            env=self.env,
            method=endpoint.method,
            path=endpoint.path,
            tr_id=canonical,
            raw_tr_id=raw_tr_id,
            params=params,
            body=body,
            headers={k.lower(): v for k, v in request.headers.items()},
            app=app,
            token=token,
            tr_cont=request.headers.get("tr_cont", "").strip().upper(),
        )
        result = endpoint.handler(api_request, self.ctx)
        answer = await result if inspect.isawaitable(result) else result
        return json_response(answer.body, status=answer.status, tr_cont=answer.tr_cont, tr_id=raw_tr_id)

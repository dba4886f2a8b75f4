"""The emulated KIS API gateway: app keys, tokens, approval keys, rate limits and TR routing.

Nothing here does I/O. Every rule takes the current time from the emulator's clock (token lifetimes,
the one-issue-per-minute rule) or from a monotonic timer (the per-second rate window), so tests drive
both with fakes. The HTTP layer (:mod:`pykis.emulator.rest`) turns the :class:`GatewayError` raised here
into the wire shapes the real service uses.

Wire shapes and codes, and where each fact comes from
-----------------------------------------------------
Gateway refusals of ``/uapi/…`` calls are HTTP 500 with the JSON envelope
``{"rt_cd": "1", "msg_cd": "EGW…", "msg1": …}`` (PROTOCOL.md §14). The OAuth endpoints
(``/oauth2/tokenP``, ``/oauth2/revokeP``, ``/oauth2/Approval``) refuse with HTTP 403 and
``{"error_description": …, "error_code": "EGW…"}`` (users quote ``HTTP 403 EGW00133`` and
``{"error_description": "유효하지 않은 AppKey입니다.", "error_code": "EGW00103"}`` for tokenP).
The message texts are the gateway's own table as users copied it (EGW001xx–EGW003xx, OPSQ, OPSP).

============  ======================================================  =====================================
code          message                                                 when
============  ======================================================  =====================================
EGW00102/104  AppKey는 필수입니다. / AppSecret은 필수입니다.              header or body field missing
EGW00103/105  유효하지 않은 AppKey입니다. / 유효하지 않은 AppSecret입니다.   unknown key, secret not the key's
EGW00115/116  grant_type missing / not ``client_credentials``           tokenP, Approval
EGW00121      유효하지 않은 token 입니다.                                unknown, revoked or foreign token
EGW00123      기간이 만료된 token 입니다.                                token past its lifetime
EGW00133      접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)              second tokenP within a minute
EGW00201      초당 거래건수를 초과하였습니다.                             per-app-key sliding 1 s window
EGW00205      credentials_type이 유효하지 않습니다.(Bearer)              no ``authorization: Bearer …``
EGW02004      실전투자 도메인은 모의투자 앱키로 호출하실 수 없습니다.        virtual key on the real host
EGW02005      실전투자 TR 이 아닙니다.                                  virtual TR ID on the real host
EGW02006      모의투자 TR 이 아닙니다.                                  real-only TR / TR not offered in demo
EGW02007      해당 앱키는 모의투자용 앱키가 아닙니다.                      real key on the virtual host
OPSQ0002      없는 서비스 코드 입니다.                                   unknown TR ID, or a TR of another path
OPSQ9999      JSON PARSING ERROR : tr_id not found                   no ``tr_id`` header
============  ======================================================  =====================================
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pykis.catalog import rest_apis
from pykis.emulator.gateway_records import (
    ENVIRONMENTS,
    AppCredential,
    ApprovalKey,
    EnvName,
    GatewayLimits,
    GatewayStats,
    IssuedToken,
    RateLimiter,
    demo_credentials,
)

__all__ = [
    "ENVIRONMENTS",
    "LEGACY_TR_ALIASES",
    "AppCredential",
    "ApprovalKey",
    "EnvName",
    "Gateway",
    "GatewayError",
    "GatewayLimits",
    "GatewayStats",
    "IssuedToken",
    "RateLimiter",
    "TrCatalog",
    "TrRoute",
    "demo_credentials",
]

KST = ZoneInfo("Asia/Seoul")

# The gateway's message table (see the module docstring for the source of every line).
MESSAGES: dict[str, str] = {
    "EGW00002": "서버 에러가 발생했습니다.",
    "EGW00101": "유효하지 않은 요청입니다.",
    "EGW00102": "AppKey는 필수입니다.",
    "EGW00103": "유효하지 않은 AppKey입니다.",
    "EGW00104": "AppSecret은 필수입니다.",
    "EGW00105": "유효하지 않은 AppSecret입니다.",
    "EGW00115": "권한부여 타입(grant_type)은 필수입니다.",
    "EGW00116": "지원하지 않는 권한부여 타입(grant_type)입니다.",
    "EGW00121": "유효하지 않은 token 입니다.",
    "EGW00122": "token을 찾을 수 없습니다.",
    "EGW00123": "기간이 만료된 token 입니다.",
    "EGW00132": "Content-Type이 유효하지 않습니다.",
    "EGW00133": "접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)",
    "EGW00201": "초당 거래건수를 초과하였습니다.",
    "EGW00205": "credentials_type이 유효하지 않습니다.(Bearer)",
    "EGW00301": "연결 시간이 초과되었습니다. 직전 거래를 반드시 확인하세요.",
    "EGW00302": "거래시간이 초과되었습니다. 직전 거래를 반드시 확인하세요.",
    "EGW02004": "실전투자 도메인은 모의투자 앱키로 호출하실 수 없습니다.",
    "EGW02005": "실전투자 TR 이 아닙니다.",
    "EGW02006": "모의투자 TR 이 아닙니다.",
    "EGW02007": "해당 앱키는 모의투자용 앱키가 아닙니다.",
    "OPSQ0002": "없는 서비스 코드 입니다.",
    "OPSQ9999": "JSON PARSING ERROR : tr_id not found",
}

# TR IDs that the current samples replaced, accepted as aliases of the current IDs: the old IDs still reach
# the same service, and clients in the field (the broker's own 2026 code among them) still send them.
# Orders: PROTOCOL.md §11. Inquiries: PROTOCOL.md §16 — TTTC8001R/VTTC8001R (strategy_builder/core/
# data_fetcher.py get_pending_orders, backtester providers/kis/constants.py), TTTC8036R (legacy/Sample01/
# kis_domstk.py, legacy/rest/kis_api.py); CTSC9115R/VTSC9115R (the postman collections' 3-months-before
# daily orders) and the JTCE night futures inquiries (the real-account postman collection v2.6, at the paths
# whose current IDs are CTFN6118R, STTN5201R, STTN5105R and CTFN7107R).
LEGACY_TR_ALIASES: dict[str, str] = {
    "TTTC8001R": "TTTC0081R",
    "VTTC8001R": "VTTC0081R",
    "CTSC9115R": "CTSC9215R",
    "VTSC9115R": "VTSC9215R",
    "TTTC8036R": "TTTC0084R",
    "JTCE6001R": "CTFN6118R",
    "JTCE5005R": "STTN5201R",
    "JTCE1004R": "STTN5105R",
    "JTCE6003R": "CTFN7107R",
    "TTTC0801U": "TTTC0011U",
    "TTTC0802U": "TTTC0012U",
    "VTTC0801U": "VTTC0011U",
    "VTTC0802U": "VTTC0012U",
    "TTTC0803U": "TTTC0013U",
    "VTTC0803U": "VTTC0013U",
    "TTTC0852U": "TTTC0052U",
    "TTTC0851U": "TTTC0051U",
    "JTCE1001U": "STTN1101U",
    "JTCE1002U": "TTTN1103U",
    "TTTS1003U": "TTTT1004U",
    "TTTS0309U": "TTTT1004U",
    "TTTS0302U": "TTTT1004U",
    "TTTS0306U": "TTTT1004U",
    "TTTS0312U": "TTTT1004U",
    "VTTS1003U": "VTTT1004U",
    "VTTS0309U": "VTTT1004U",
    "VTTS0302U": "VTTT1004U",
    "VTTS0306U": "VTTT1004U",
    "VTTS0312U": "VTTT1004U",
}


class GatewayError(Exception):
    """A refusal. ``oauth`` selects the OAuth error shape (HTTP 403) over the envelope (HTTP 500)."""

    def __init__(self, code: str, *, oauth: bool = False, message: str | None = None) -> None:
        self.code = code
        self.message = message if message is not None else MESSAGES[code]
        self.oauth = oauth
        super().__init__(f"{code} {self.message}")

    @property
    def status(self) -> int:
        """The HTTP status the real gateway uses for this shape."""
        return 403 if self.oauth else 500

    def body(self) -> dict[str, str]:
        """The JSON body of the refusal."""
        if self.oauth:
            return {"error_description": self.message, "error_code": self.code}
        return {"rt_cd": "1", "msg_cd": self.code, "msg1": self.message}


# --------------------------------------------------------------------------------------- TR routing


@dataclass(frozen=True, slots=True)
class TrRoute:
    """The TR IDs one catalogued path answers to in each environment."""

    path: str
    method: str
    real: frozenset[str]
    demo: frozenset[str]
    demo_supported: bool
    entry: Mapping[str, Any] = field(compare=False, hash=False, repr=False)


def _tr_values(spec: object) -> frozenset[str]:
    if spec is None:
        return frozenset()
    if isinstance(spec, str):
        return frozenset({spec})
    if isinstance(spec, Mapping):
        return frozenset(str(v) for v in spec.values())
    return frozenset()


class TrCatalog:
    """TR IDs by path from ``rest.json``, with the real/demo sets the gateway checks against."""

    def __init__(self, entries: Iterable[Mapping[str, Any]]) -> None:
        self.routes: dict[str, TrRoute] = {}
        real_all: set[str] = set()
        demo_all: set[str] = set()
        for entry in entries:
            route = TrRoute(
                path=str(entry["path"]),
                method=str(entry["method"]).upper(),
                real=_tr_values(entry["tr_id"].get("real")),
                demo=_tr_values(entry["tr_id"].get("demo")),
                demo_supported=bool(entry.get("demo_supported", False)),
                entry=entry,
            )
            self.routes[route.path] = route
            real_all |= route.real
            demo_all |= route.demo
        self.real_only = frozenset(real_all - demo_all)
        self.demo_only = frozenset(demo_all - real_all)

    @classmethod
    def load(cls) -> TrCatalog:
        """The catalog shipped with pykis."""
        return cls(rest_apis())

    def route(self, path: str) -> TrRoute | None:
        """The catalogued route of ``path``."""
        return self.routes.get(path)

    def resolve(self, env: EnvName, route: TrRoute, tr_id: str) -> str:
        """The canonical TR ID of a request, or the refusal the real gateway gives.

        Order: legacy alias → environment of the TR (EGW02005 / EGW02006) → TR of this path
        (OPSQ0002) → demo availability (EGW02006).
        """
        if not tr_id:
            raise GatewayError("OPSQ9999")
        canonical = LEGACY_TR_ALIASES.get(tr_id, tr_id)
        if env == "real" and canonical in self.demo_only:
            raise GatewayError("EGW02005")
        if env == "virtual" and canonical in self.real_only:
            raise GatewayError("EGW02006")
        allowed = route.real if env == "real" else route.demo
        if canonical not in allowed:
            if env == "virtual" and not route.demo_supported and canonical in route.real:
                raise GatewayError("EGW02006")
            raise GatewayError("OPSQ0002")
        if env == "virtual" and not route.demo_supported:
            raise GatewayError("EGW02006")
        return canonical


# --------------------------------------------------------------------------------------- gateway


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class Gateway:
    """Credentials, tokens, approval keys and the rate window of both environments."""

    def __init__(
        self,
        apps: Iterable[AppCredential],
        *,
        now: Callable[[], datetime],
        limits: GatewayLimits | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        catalog: TrCatalog | None = None,
    ) -> None:
        self.apps: dict[str, AppCredential] = {}
        for app in apps:
            self.register(app)
        self._now = now
        self.limits = limits or GatewayLimits()
        self.rates = RateLimiter(monotonic)
        self.catalog = catalog or TrCatalog.load()
        self._signing_key = secrets.token_bytes(32)
        self._tokens: dict[str, IssuedToken] = {}
        self._latest: dict[tuple[EnvName, str], IssuedToken] = {}
        self._last_issue: dict[tuple[EnvName, str], datetime] = {}
        self._approvals: dict[str, ApprovalKey] = {}
        # Fault injection: answer the next N rate-limited calls with EGW00201 regardless of the window.
        self.forced_rate_limits = 0
        self.stats = GatewayStats()

    # -- registry -------------------------------------------------------------------------------

    def register(self, app: AppCredential) -> None:
        """Add an app (tests add extra keys this way)."""
        if len(app.appkey) != 36 or len(app.appsecret) != 180:
            raise ValueError("app keys are 36 characters and secrets 180, as the real ones")
        self.apps[app.appkey] = app

    def now(self) -> datetime:
        """The emulator clock's current time."""
        return self._now()

    # -- shared checks ----------------------------------------------------------------------------

    def check_key_pair(self, appkey: str | None, appsecret: str | None, *, oauth: bool) -> AppCredential:
        """The app of a key pair (any environment), or EGW00102/103/104/105."""
        if not appkey:
            raise GatewayError("EGW00102", oauth=oauth)
        app = self.apps.get(appkey)
        if app is None:
            raise GatewayError("EGW00103", oauth=oauth)
        if not appsecret:
            raise GatewayError("EGW00104", oauth=oauth)
        if not hmac.compare_digest(app.appsecret.encode(), appsecret.encode()):
            raise GatewayError("EGW00105", oauth=oauth)
        return app

    @staticmethod
    def check_environment(env: EnvName, app: AppCredential) -> None:
        """A key works only on its own environment's host: EGW02004 / EGW02007."""
        if app.env != env:
            raise GatewayError("EGW02004" if env == "real" else "EGW02007")

    def admit(self, env: EnvName, app: AppCredential) -> None:
        """Count one request against the app key's per-second limit (EGW00201)."""
        if self.forced_rate_limits > 0:
            self.forced_rate_limits -= 1
            self.stats.rate_refusals += 1
            raise GatewayError("EGW00201")
        if not self.rates.admit(f"{env}:{app.appkey}", self.limits.rate(env)):
            self.stats.rate_refusals += 1
            raise GatewayError("EGW00201")

    def check_token(self, env: EnvName, app: AppCredential, authorization: str | None) -> IssuedToken:
        """The token of an ``authorization: Bearer …`` header: EGW00205, EGW00121 or EGW00123."""
        scheme, _, value = (authorization or "").strip().partition(" ")
        value = value.strip()
        if scheme.lower() != "bearer" or not value:
            raise GatewayError("EGW00205")
        token = self._tokens.get(value)
        if token is None or token.revoked or token.env != env or token.appkey != app.appkey:
            raise GatewayError("EGW00121")
        if self._now() >= token.expires_at:
            raise GatewayError("EGW00123")
        return token

    def authorize(
        self, env: EnvName, headers: Mapping[str, str], *, needs_token: bool = True
    ) -> tuple[AppCredential, IssuedToken | None]:
        """Every gateway check of a ``/uapi`` call, in the real order, before the TR is routed."""
        self.stats.requests += 1
        app = self.check_key_pair(headers.get("appkey"), headers.get("appsecret"), oauth=False)
        self.check_environment(env, app)
        self.admit(env, app)
        token = self.check_token(env, app, headers.get("authorization")) if needs_token else None
        return app, token

    # -- /oauth2/tokenP ---------------------------------------------------------------------------

    def issue_token(self, env: EnvName, body: Mapping[str, Any]) -> dict[str, Any]:
        """``/oauth2/tokenP``: the same token within the reuse window, one issue per interval."""
        self._check_grant(body)
        app = self.check_key_pair(_text(body.get("appkey")), _text(body.get("appsecret")), oauth=True)
        now = self._now()
        slot = (env, app.appkey)
        last = self._last_issue.get(slot)
        if last is not None and now - last < self.limits.token_issue_interval:
            self.stats.issue_refusals += 1
            raise GatewayError("EGW00133", oauth=True)
        self._last_issue[slot] = now
        self.stats.token_issues += 1
        latest = self._latest.get(slot)
        if (
            latest is not None
            and not latest.revoked
            and now < latest.expires_at
            and now - latest.issued_at < self.limits.token_reuse
        ):
            return latest.wire(now)
        token = IssuedToken(self._mint(app, now), env, app.appkey, now, now + self.limits.token_lifetime)
        self.stats.tokens_minted += 1
        self._tokens[token.value] = token
        self._latest[slot] = token
        return token.wire(now)

    def _mint(self, app: AppCredential, now: datetime) -> str:
        """A JWT-shaped token like the real ones (HS512, ``iss: unogw``)."""
        header = _b64url(json.dumps({"typ": "JWT", "alg": "HS512"}, separators=(",", ":")).encode())
        exp = now + self.limits.token_lifetime
        claims = {
            "sub": "token",
            "aud": secrets.token_hex(18),
            "prdt_cd": "",
            "iss": "unogw",
            "exp": int(exp.timestamp()),
            "iat": int(now.timestamp()),
            "jti": app.appkey,
        }
        payload = _b64url(json.dumps(claims, separators=(",", ":")).encode())
        signature = hmac.new(self._signing_key, f"{header}.{payload}".encode(), hashlib.sha512).digest()
        return f"{header}.{payload}.{_b64url(signature)}"

    # -- /oauth2/revokeP --------------------------------------------------------------------------

    def revoke_token(self, env: EnvName, body: Mapping[str, Any]) -> dict[str, Any]:
        """``/oauth2/revokeP``: the broker's documented answer ``{"code": 200, "message": …}``."""
        app = self.check_key_pair(_text(body.get("appkey")), _text(body.get("appsecret")), oauth=True)
        value = _text(body.get("token"))
        token = self._tokens.get(value or "")
        if token is None or token.appkey != app.appkey or token.env != env or token.revoked:
            raise GatewayError("EGW00121", oauth=True)
        token.revoked = True
        self.stats.revocations += 1
        if self._latest.get((env, app.appkey)) is token:
            del self._latest[(env, app.appkey)]
        return {"code": 200, "message": "접근토큰 폐기에 성공하였습니다"}

    def expire_tokens(self, env: EnvName | None = None) -> int:
        """Fault injection: every live token (of ``env``) expires now. Returns how many."""
        now = self._now()
        count = 0
        for token in self._tokens.values():
            if (env is None or token.env == env) and token.expires_at > now:
                token.expires_at = now
                count += 1
        return count

    # -- /oauth2/Approval -------------------------------------------------------------------------

    def issue_approval(self, env: EnvName, body: Mapping[str, Any]) -> dict[str, Any]:
        """``/oauth2/Approval``: the secret travels as ``secretkey`` (PROTOCOL.md §2)."""
        self._check_grant(body)
        app = self.check_key_pair(_text(body.get("appkey")), _text(body.get("secretkey")), oauth=True)
        value = _uuid_like()
        self.stats.approvals += 1
        self._approvals[value] = ApprovalKey(value, env, app.appkey, self._now() + self.limits.approval_lifetime)
        return {"approval_key": value}

    def approval(self, env: EnvName, value: str | None) -> AppCredential | None:
        """The app behind a live approval key of ``env``, or ``None``."""
        key = self._approvals.get(value or "")
        if key is None or key.env != env or self._now() >= key.expires_at:
            return None
        app = self.apps.get(key.appkey)
        if app is None or app.env != env:
            return None
        return app

    @staticmethod
    def _check_grant(body: Mapping[str, Any]) -> None:
        grant = body.get("grant_type")
        if not grant:
            raise GatewayError("EGW00115", oauth=True)
        if grant != "client_credentials":
            raise GatewayError("EGW00116", oauth=True)

    # -- /uapi/hashkey ----------------------------------------------------------------------------

    @staticmethod
    def hashkey(app: AppCredential, body: Mapping[str, Any]) -> dict[str, Any]:
        """``/uapi/hashkey``: the body echoed as ``JsonBody`` plus its ``HASH``."""
        canonical = json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        digest = hmac.new(app.appsecret.encode(), canonical.encode(), hashlib.sha256).hexdigest()
        return {"JsonBody": dict(body), "HASH": digest}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _uuid_like() -> str:
    raw = secrets.token_hex(16)
    return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"

"""The gateway's records: app credentials (and the demo apps), issued tokens and approval keys, the per-second
rate window, and the gateway's limits and counters. Rules that use them: :mod:`pykis.emulator.gateway`.
"""

from __future__ import annotations

import random
import string
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pykis.auth import KisAuth

__all__ = [
    "ENVIRONMENTS",
    "AppCredential",
    "ApprovalKey",
    "EnvName",
    "GatewayLimits",
    "GatewayStats",
    "IssuedToken",
    "RateLimiter",
    "demo_credentials",
]

EnvName = Literal["real", "virtual"]
ENVIRONMENTS: tuple[EnvName, EnvName] = ("real", "virtual")
KST = ZoneInfo("Asia/Seoul")


@dataclass(frozen=True, slots=True)
class AppCredential:
    """One registered app: its key pair, HTS ID and account, bound to one environment."""

    env: EnvName
    appkey: str
    appsecret: str
    hts_id: str
    account: str

    def auth(self, rest_url: str | None = None, ws_url: str | None = None, *, always_open: bool = False) -> KisAuth:
        """The :class:`~pykis.auth.KisAuth` a client uses for this app (``always_open``: the sandbox keeps every
        market in its regular session now)."""
        return KisAuth(
            id=self.hts_id,
            appkey=self.appkey,
            secretkey=self.appsecret,
            account=self.account,
            virtual=self.env == "virtual",
            rest_url=rest_url,
            ws_url=ws_url,
            always_open=always_open,
        )


_ALNUM = string.ascii_letters + string.digits
_B64 = string.ascii_letters + string.digits + "+/"


def demo_credentials(seed: int, env: EnvName) -> AppCredential:
    """The deterministic demo app of ``env`` for ``seed``, in the real formats.

    App keys are 36 characters starting ``PS`` (as the broker's examples show), secrets 180 characters
    of the base64 alphabet, the HTS ID lower-case letters and digits, the account ``NNNNNNNN-01``
    (virtual accounts start with 50, as the broker's demo accounts do).
    """
    rng = random.Random(f"pykis-emulator:{seed}:{env}")
    appkey = "PS" + "".join(rng.choice(_ALNUM) for _ in range(34))
    appsecret = "".join(rng.choice(_B64) for _ in range(180))
    hts_id = ("emu" if env == "real" else "vemu") + "".join(
        rng.choice(string.ascii_lowercase + string.digits) for _ in range(5)
    )
    head = "50" if env == "virtual" else "6" + str(rng.randint(0, 9))
    number = head + "".join(str(rng.randint(0, 9)) for _ in range(6))
    return AppCredential(env, appkey, appsecret, hts_id, f"{number}-01")


# --------------------------------------------------------------------------------------- rate window


class RateLimiter:
    """A sliding one-second window per app key, summed over every connection using the key.

    Refused requests are not counted, so a client that backs off recovers within a second.
    """

    def __init__(self, monotonic: Callable[[], float] = time.monotonic, period: float = 1.0) -> None:
        self._monotonic = monotonic
        self._period = period
        self._windows: dict[str, deque[float]] = {}

    def admit(self, key: str, limit: int) -> bool:
        """Count one request for ``key``; ``False`` when the window already holds ``limit`` requests."""
        now = self._monotonic()
        window = self._windows.setdefault(key, deque())
        while window and now - window[0] >= self._period:
            window.popleft()
        if len(window) >= limit:
            return False
        window.append(now)
        return True

    def reset(self) -> None:
        """Forget every window."""
        self._windows.clear()


# --------------------------------------------------------------------------------------- tokens


@dataclass(slots=True)
class IssuedToken:
    """An access token the gateway issued."""

    value: str
    env: EnvName
    appkey: str
    issued_at: datetime
    expires_at: datetime
    revoked: bool = False

    def wire(self, now: datetime) -> dict[str, Any]:
        """The tokenP answer: ``expires_in`` is a JSON number, the expiry is KST wall time."""
        remaining = max(0, int((self.expires_at - now).total_seconds()))
        return {
            "access_token": self.value,
            "access_token_token_expired": self.expires_at.astimezone(KST).strftime("%Y-%m-%d %H:%M:%S"),
            "token_type": "Bearer",
            "expires_in": remaining,
        }


@dataclass(slots=True)
class ApprovalKey:
    """A WebSocket approval key (``/oauth2/Approval``)."""

    value: str
    env: EnvName
    appkey: str
    expires_at: datetime


@dataclass(slots=True)
class GatewayStats:
    """Counters for tests and benchmarks (what a client made the gateway do)."""

    requests: int = 0
    """``/uapi`` calls that reached the gateway, refused or not."""
    rate_refusals: int = 0
    """EGW00201 answers (window or forced)."""
    token_issues: int = 0
    """Successful ``/oauth2/tokenP`` answers (a reused token counts: each one is a KakaoTalk notice)."""
    tokens_minted: int = 0
    """New access tokens."""
    issue_refusals: int = 0
    """EGW00133 answers."""
    approvals: int = 0
    """Approval keys issued."""
    revocations: int = 0
    """Tokens revoked."""


@dataclass(frozen=True, slots=True)
class GatewayLimits:
    """The gateway's timing rules. Defaults are the real service's; tests shorten them."""

    token_lifetime: timedelta = timedelta(days=1)
    token_reuse: timedelta = timedelta(hours=6)
    token_issue_interval: timedelta = timedelta(minutes=1)
    approval_lifetime: timedelta = timedelta(days=1)
    real_rate: int = 20
    virtual_rate: int = 2

    def rate(self, env: EnvName) -> int:
        """Requests per second one app key may send to ``env``."""
        return self.real_rate if env == "real" else self.virtual_rate

"""Describing an API call and turning it into an HTTP request for one environment."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from pykis.errors import KisValidationError
from pykis.protocol.env import Environment, virtual_tr_id
from pykis.protocol.http import HttpRequest, Method

__all__ = ["ApiCall", "Credentials", "build_request"]


class Credentials(msgspec.Struct, frozen=True):
    """What request headers need from one environment's credentials."""

    appkey: str
    appsecret: str

    def __repr__(self) -> str:
        return "Credentials(appkey=…, appsecret=***)"


class ApiCall(msgspec.Struct, frozen=True):
    """One REST call, independent of environment and token.

    ``tr_id`` is the real-service TR ID; the virtual one is derived by :func:`virtual_tr_id` unless
    ``virtual_tr_id`` names it (``""`` or a ``demo_only=False`` call marks "not offered in virtual").
    ``trading`` calls (accounts, orders) go to the virtual service when one is configured; market
    data goes to the real service when it can. Only ``idempotent`` calls are ever retried.
    """

    method: Method
    path: str
    tr_id: str | None
    params: Mapping[str, str] = msgspec.field(default_factory=dict)
    virtual_tr_id: str | None = None
    virtual_supported: bool = True
    trading: bool = False
    idempotent: bool | None = None
    tr_cont: str = ""

    @property
    def retryable(self) -> bool:
        """GET inquiries are safe to resend; POSTs (orders) never are unless declared so."""
        return self.method == "GET" if self.idempotent is None else self.idempotent

    def tr_id_for(self, environment: Environment) -> str | None:
        """The TR ID to send in ``environment``; raises when the virtual service lacks the TR."""
        if self.tr_id is None or environment is Environment.REAL:
            return self.tr_id
        if not self.virtual_supported:
            raise KisValidationError(f"{self.tr_id} ({self.path}) is not offered by the virtual (모의투자) service")
        return self.virtual_tr_id or virtual_tr_id(self.tr_id)

    def continued(self, cursors: Mapping[str, str]) -> ApiCall:
        """The follow-up call for the next page: ``tr_cont: N`` and the cursors copied in."""
        params = dict(self.params)
        params.update(cursors)
        return msgspec.structs.replace(self, params=params, tr_cont="N")


def build_request(
    call: ApiCall,
    environment: Environment,
    credentials: Credentials,
    token: str | None,
    *,
    custtype: str = "P",
) -> HttpRequest:
    """Headers and parameters as PROTOCOL.md §3 prescribes: GET query strings, POST JSON with upper-case keys."""
    tr_id = call.tr_id_for(environment)
    headers: dict[str, str] = {
        "content-type": "application/json; charset=utf-8",
        "appkey": credentials.appkey,
        "appsecret": credentials.appsecret,
        "custtype": custtype,
        "tr_cont": call.tr_cont,
    }
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    if tr_id is not None:
        headers["tr_id"] = tr_id
    for name, value in call.params.items():
        if not isinstance(value, str):
            raise KisValidationError(f"parameter {name} must be sent as a string, got {type(value).__name__}")
    if call.method == "GET":
        return HttpRequest("GET", call.path, headers, params=dict(call.params), tr_id=tr_id)
    body: dict[str, Any] = {name.upper(): value for name, value in call.params.items()}
    return HttpRequest("POST", call.path, headers, json=body, tr_id=tr_id)

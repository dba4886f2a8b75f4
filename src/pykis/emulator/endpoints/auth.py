"""``/oauth2/tokenP``, ``/oauth2/revokeP``, ``/oauth2/Approval`` and ``/uapi/hashkey`` (PROTOCOL.md §2)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pykis.emulator.gateway import EnvName
from pykis.emulator.rest import EmulatorContext, EndpointRegistry

__all__ = ["register"]


def token(env: EnvName, body: Mapping[str, Any], ctx: EmulatorContext) -> dict[str, Any]:
    """접근토큰발급(P): 24 h tokens, the same token within 6 h, one issue per minute (EGW00133)."""
    return ctx.gateway.issue_token(env, body)


def revoke(env: EnvName, body: Mapping[str, Any], ctx: EmulatorContext) -> dict[str, Any]:
    """접근토큰폐기(P): ``{"code": 200, "message": "접근토큰 폐기에 성공하였습니다"}``."""
    return ctx.gateway.revoke_token(env, body)


def approval(env: EnvName, body: Mapping[str, Any], ctx: EmulatorContext) -> dict[str, Any]:
    """실시간 (웹소켓) 접속키 발급: ``{"approval_key": …}``."""
    return ctx.gateway.issue_approval(env, body)


def register(registry: EndpointRegistry) -> None:
    """Add the auth endpoints to ``registry``."""
    registry.add_oauth("/oauth2/tokenP", token)
    registry.add_oauth("/oauth2/revokeP", revoke)
    registry.add_oauth("/oauth2/Approval", approval)
    registry.add_hashkey("/uapi/hashkey")

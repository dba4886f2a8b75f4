"""Hosts and the real/virtual rules: which host, which TR ID, which request rate."""

from __future__ import annotations

from enum import StrEnum

import msgspec
from msgspec.structs import force_setattr

__all__ = ["Environment", "KisHosts", "virtual_tr_id"]


class Environment(StrEnum):
    """The two KIS services: real trading (실전, "prod") and virtual trading (모의, "vps")."""

    REAL = "real"
    VIRTUAL = "virtual"

    @property
    def default_rate(self) -> int:
        """Requests per second KIS allows one app key (its FAQ: 20 real, 2 virtual)."""
        return 20 if self is Environment.REAL else 2


class KisHosts(msgspec.Struct, frozen=True):
    """Base URLs of one environment. Point a client at a proxy or the emulator by passing your own."""

    rest: str
    websocket: str
    # Where the symbol master files are downloaded from; None means the broker's download host for the
    # default hosts and ``<rest>/common/master`` for custom ones (the emulator serves them there).
    masters: str | None = None

    def __post_init__(self) -> None:
        force_setattr(self, "rest", self.rest.rstrip("/"))
        force_setattr(self, "websocket", self.websocket.rstrip("/"))
        if self.masters is not None:
            force_setattr(self, "masters", self.masters.rstrip("/"))

    @property
    def masters_url(self) -> str:
        """The base URL of the symbol master files."""
        if self.masters:
            return self.masters
        if self.rest.startswith(("https://openapi.koreainvestment.com", "https://openapivts.koreainvestment.com")):
            return "https://new.real.download.dws.co.kr/common/master"
        return f"{self.rest}/common/master"

    @classmethod
    def default(cls, environment: Environment) -> KisHosts:
        """The broker's production hosts for ``environment`` (PROTOCOL.md §1)."""
        if environment is Environment.REAL:
            return cls("https://openapi.koreainvestment.com:9443", "ws://ops.koreainvestment.com:21000")
        return cls("https://openapivts.koreainvestment.com:29443", "ws://ops.koreainvestment.com:31000")


# The virtual service names trading TRs with a leading V, except where it chose another number.
_VIRTUAL_EXCEPTIONS = {"TTTT1006U": "VTTT1001U"}


def virtual_tr_id(tr_id: str) -> str:
    """The virtual-service TR ID of a real one: ``TTTC8434R`` → ``VTTC8434R`` (PROTOCOL.md §3).

    Quote TRs (``FH…``, ``HH…``) are shared by both services and come back unchanged.
    """
    if tr_id in _VIRTUAL_EXCEPTIONS:
        return _VIRTUAL_EXCEPTIONS[tr_id]
    if tr_id[:1] in ("T", "J", "C"):
        return "V" + tr_id[1:]
    return tr_id

"""``kis.api``: the generated catalog (:mod:`pykis.api`) bound to a client.

:mod:`pykis.api` holds the call builders the scopes use and never imports a client; this module binds them to
one (``kis.api.<category>.<name>(...)`` sends, ``kis.api.on(EventType, key, callback)`` subscribes).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from pykis.api._generated import Categories
from pykis.api._runtime import Async, AsyncRunner, KisApiResult, KisApiRow, Prepared, Sync, SyncRunner
from pykis.protocol.env import Environment

if TYPE_CHECKING:
    from pykis.client import AsyncPyKis, PyKis
    from pykis.drivers.websocket_handlers import KisEventTicket, KisSubscriptionEventArgs
    from pykis.models.realtime import KisRealtimeEvent

__all__ = ["AsyncKisApi", "KisApi"]

R = TypeVar("R", bound=KisApiRow)
E = TypeVar("E", bound="KisRealtimeEvent")


def _tr_for(kind: type[KisRealtimeEvent], kis: PyKis | AsyncPyKis) -> str:
    tr_id: str = getattr(kind, "TR_ID", "")
    demo: str | None = getattr(kind, "DEMO_TR_ID", None)
    if not tr_id:
        raise TypeError(f"{kind.__name__} is not a generated realtime event type")
    if demo and (
        Environment.REAL not in kis.environments or (kis.virtual and tr_id.startswith("H0") and "CNI" in tr_id)
    ):
        return demo
    return tr_id


class KisApi(Categories[Sync]):
    """``PyKis.api``: every catalog API, blocking."""

    def __init__(self, kis: PyKis, *, max_pages: int = 100) -> None:
        self._kis = kis
        self._sync = SyncRunner(kis, max_pages)
        super().__init__(self._sync)

    def run(self, prepared: Prepared[R]) -> KisApiResult[R]:
        """Send a call built by a module-level operation (``domestic_stock.inquire_price(...)``)."""
        return self._sync.run(prepared)

    def on(
        self,
        kind: type[E],
        key: str,
        callback: Callable[[Any, KisSubscriptionEventArgs[E]], object],
    ) -> KisEventTicket:
        """Subscribe to the TR of a generated event type (``pykis.api.realtime``) for ``key``."""
        return self._kis.websocket.on(_tr_for(kind, self._kis), key, callback)


class AsyncKisApi(Categories[Async]):
    """``AsyncPyKis.api``: every catalog API, as awaitables."""

    def __init__(self, kis: AsyncPyKis, *, max_pages: int = 100) -> None:
        self._kis = kis
        self._async = AsyncRunner(kis, max_pages)
        super().__init__(self._async)

    def run(self, prepared: Prepared[R]) -> Awaitable[KisApiResult[R]]:
        """Send a call built by a module-level operation (``domestic_stock.inquire_price(...)``)."""
        return self._async.run(prepared)

    def on(
        self,
        kind: type[E],
        key: str,
        callback: Callable[[Any, KisSubscriptionEventArgs[E]], object],
    ) -> KisEventTicket:
        """Subscribe to the TR of a generated event type (``pykis.api.realtime``) for ``key``."""
        return self._kis.websocket.on(_tr_for(kind, self._kis), key, callback)

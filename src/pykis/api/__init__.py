"""The low-level typed layer: every REST API and realtime TR of the KIS catalog, generated from it.

>>> result = kis.api.domestic_stock.inquire_price(FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD="005930")  # doctest: +SKIP
>>> result.output[0].stck_prpr                                                                        # doctest: +SKIP
'71000'
>>> result = await akis.api.domestic_stock.inquire_price(FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD="005930")

One callable per REST API (``kis.api.<category>.<name>``) with a keyword argument per request field
(wire names; required ones have no default), returning a :class:`KisApiResult` whose rows are typed
records named by the response columns (Korean labels in their docstrings). The TR ID is chosen per
environment and per the catalog's conditions (selectors such as ``ord_dv="buy"``); continued inquiries
read every page; an API the virtual service does not offer is refused before sending in virtual mode.
The same operation called on its module (``from pykis.api import domestic_stock``) only builds the
:class:`~pykis.protocol.request.ApiCall` (:class:`Prepared`), which ``kis.api.run(prepared)`` sends —
the same request/paginate flows. The high-level scopes (``kis.stock(…).quote()``, ``account.balance()``,
orders…) build their requests with these module-level operations and add validation, paging rules and
richer models on top.

Realtime: :mod:`pykis.api.realtime` holds one event type per TR (columns as attributes);
``kis.api.on(EventType, key, callback)`` subscribes with the TR ID of the client's environment.

Regenerate after a catalog change with ``python -m pykis.catalog._codegen`` (a test checks it is current).
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from pykis.api._generated import CATEGORIES, Categories
from pykis.api._runtime import (
    Async,
    AsyncRunner,
    Category,
    KisApiResult,
    KisApiRow,
    Op,
    Prepared,
    Spec,
    Sync,
    SyncRunner,
)

if TYPE_CHECKING:
    from pykis._websocket_handlers import KisEventTicket, KisSubscriptionEventArgs
    from pykis.client import AsyncPyKis, PyKis
    from pykis.models.realtime import KisRealtimeEvent

__all__ = [
    "CATEGORIES",
    "AsyncKisApi",
    "Category",
    "KisApi",
    "KisApiResult",
    "KisApiRow",
    "Op",
    "Prepared",
    "Spec",
    "operations",
]

R = TypeVar("R", bound=KisApiRow)
E = TypeVar("E", bound="KisRealtimeEvent")


def operations() -> list[Op[Any, Any]]:
    """Every generated REST operation, in catalog order per category."""
    found: list[Op[Any, Any]] = []
    for category in CATEGORIES:
        module = importlib.import_module(f"pykis.api._generated.{category}")
        values = [getattr(module, name) for name in module._MODULES]
        found += [value for value in values if isinstance(value, Op)]
    return found


def _tr_for(kind: type[KisRealtimeEvent], kis: PyKis | AsyncPyKis) -> str:
    from pykis.protocol.env import Environment

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

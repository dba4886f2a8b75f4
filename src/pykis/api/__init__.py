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

``kis.api`` itself (the catalog bound to a client) is :mod:`pykis.facade`: nothing here imports a client.

Regenerate after a catalog change with ``python -m pykis.catalog._codegen`` (a test checks it is current).
"""

from __future__ import annotations

import importlib
from typing import Any

from pykis.api._generated import CATEGORIES
from pykis.api._runtime import Category, KisApiResult, KisApiRow, Op, Prepared, Spec

__all__ = [
    "CATEGORIES",
    "Category",
    "KisApiResult",
    "KisApiRow",
    "Op",
    "Prepared",
    "Spec",
    "operations",
]


def operations() -> list[Op[Any, Any]]:
    """Every generated REST operation, in catalog order per category."""
    found: list[Op[Any, Any]] = []
    for category in CATEGORIES:
        module = importlib.import_module(f"pykis.api._generated.{category}")
        values = [getattr(module, name) for name in module._MODULES]
        found += [value for value in values if isinstance(value, Op)]
    return found

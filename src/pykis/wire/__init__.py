"""The wire shapes of the REST catalog, generated: each API's row (every column the catalog lists, as the string
the server sent, plus the corrections of :data:`pykis.catalog._wire.COLUMN_CORRECTIONS`) and its body (the output
blocks). They are the one description both the API layer (``pykis.api``) and the models read; this package
imports neither.

An API has its own module (``pykis.wire.<category>.<api>``, loaded only when used), except the ones the models
decode: those are generated together by group, one per model module (``pykis.wire._market``: quotes;
``_orderbook``; ``_chart``; ``pykis.wire._account``: balances, orders, profits), since a model module needs all
of its group at once, and a quote none of the order books' and charts' shapes.
Only this ``__init__`` is written by hand.
"""

from __future__ import annotations

from pykis.models._base import KisModel

__all__ = ["KisApiRow"]


class KisApiRow(KisModel, frozen=True, kw_only=True):
    """One row of an output block: every column of the catalog as the string the server sent
    (``""`` when absent). Columns of every block are declared on the one row type, as the catalog lists
    them per API, not per block."""

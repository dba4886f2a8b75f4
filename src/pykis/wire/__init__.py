"""The wire shapes of the REST catalog, one module per API (``pykis.wire.<category>.<api>``), generated.

Each module declares the API's row (every column the catalog lists, as the string the server sent, plus the
corrections of ``pykis.catalog._codegen.COLUMN_CORRECTIONS``) and its body (the output blocks). They are the
one description both the API layer (:mod:`pykis.api`) and the models (:mod:`pykis.models`) read; this package
imports neither. A process loads only the modules of the APIs it touches.
"""

from __future__ import annotations

from pykis.models._base import KisModel

__all__ = ["KisApiRow"]


class KisApiRow(KisModel, frozen=True, kw_only=True):
    """One row of an output block: every column of the catalog as the string the server sent
    (``""`` when absent). Columns of every block are declared on the one row type, as the catalog lists
    them per API, not per block."""

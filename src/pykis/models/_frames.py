"""Rows of models as pandas / polars DataFrames: the shared conversion behind every ``to_pandas``/``to_polars``.

Decimals become floats (a DataFrame column of ``Decimal`` objects is slow and awkward), account numbers become
their ``"NNNNNNNN-NN"`` text; everything else is kept. Both libraries are optional and imported on first use.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas
    import polars

__all__ = ["columns_of", "pandas_frame", "polars_frame"]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value

    if isinstance(value, date):
        return value
    return str(value)


def columns_of(rows: Iterable[object], names: Sequence[str]) -> dict[str, list[Any]]:
    """``{name: [row.name for row in rows]}`` with plain values, one column per name (kept when ``rows`` is
    empty); a name may be a property."""
    items = list(rows)
    return {name: [_plain(getattr(row, name)) for row in items] for name in names}


def pandas_frame(columns: dict[str, list[Any]], index: str | None = None) -> pandas.DataFrame:
    """A pandas DataFrame of ``columns`` (needs the ``pandas`` extra), indexed by ``index`` when given."""
    import pandas  # noqa: PLC0415 — optional extra

    frame = pandas.DataFrame(columns)
    return frame.set_index(index) if index is not None else frame


def polars_frame(columns: dict[str, list[Any]]) -> polars.DataFrame:
    """A polars DataFrame of ``columns`` (needs the ``polars`` extra)."""
    import polars  # noqa: PLC0415 — optional extra

    return polars.DataFrame(columns, strict=False)

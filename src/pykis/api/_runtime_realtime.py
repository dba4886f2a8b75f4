"""Column access for the generated realtime event types (:mod:`pykis.api._generated.realtime`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    from typing import Self

    from pykis.models.realtime import KisRealtimeEvent

__all__ = ["Column", "column"]


class Column:
    """One positional field of a realtime record, read as the string sent (``""`` when the record is narrower)."""

    __slots__ = ("index", "name")

    def __init__(self, index: int) -> None:
        self.index = index
        self.name = ""

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, obj: KisRealtimeEvent, owner: type[Any]) -> str: ...
    def __get__(self, obj: KisRealtimeEvent | None, owner: type[Any]) -> Any:
        if obj is None:
            return self
        return obj._f(self.index)

    def __repr__(self) -> str:
        return f"<column {self.index} {self.name}>"


def column(index: int) -> Any:
    """A :class:`Column` descriptor, typed ``str`` on instances."""
    return Column(index)

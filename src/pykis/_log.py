"""The ``pykis`` logger, imported on first use: ``logging`` alone costs ~10 ms of ``import pykis``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import logging

__all__ = ["lazy_logger"]


class _LazyLogger:
    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        import logging  # noqa: PLC0415 — logging loads with the first log line, not with a quote

        return getattr(logging.getLogger(self._name), attribute)


def lazy_logger(name: str = "pykis") -> logging.Logger:
    """A stand-in for ``logging.getLogger(name)`` that imports :mod:`logging` when first used."""
    return _LazyLogger(name)  # type: ignore[return-value]

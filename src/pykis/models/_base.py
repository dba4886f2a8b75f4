"""What every model shares: readable multi-line ``repr`` and the conversions of KIS's string fields."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, ClassVar

import msgspec

__all__ = ["KisModel", "dec", "dec_or_none", "money", "places", "rate_of", "render", "won", "yyyymmdd"]

ZERO = Decimal(0)
CENT = Decimal("0.01")

_PLACES = {"KRW": 0, "JPY": 0, "VND": 0}  # currencies without minor units in KIS's amounts; others have 2


def places(currency: str | None) -> int:
    """Decimal places of amounts of ``currency`` (KRW, JPY, VND 0; USD, HKD, CNY and others 2)."""
    return _PLACES.get((currency or "").upper(), 2)


def money(value: Decimal, currency: str | None) -> Decimal:
    """``value`` in its currency's places, for display (models keep the exact value)."""
    return value.quantize(Decimal(1).scaleb(-places(currency)), ROUND_HALF_UP)


def rate_of(part: Decimal, whole: Decimal) -> Decimal:
    """``part / whole * 100`` in percent, two decimals (zero when ``whole`` is zero): quantized once, here."""
    return (part / whole * 100).quantize(CENT, ROUND_HALF_UP) if whole else Decimal("0.00")


def won(amount: Decimal, exchange_rate: Decimal) -> Decimal:
    """``amount`` converted to won at ``exchange_rate``, in whole won as KIS reports won: rounded once, here."""
    return (amount * exchange_rate).quantize(Decimal(1), ROUND_HALF_UP)


def dec(text: str) -> Decimal:
    """A KIS number string as ``Decimal`` (blank or garbage is zero: KIS sends blanks for "nothing")."""
    try:
        value = Decimal(text)  # Decimal itself ignores surrounding whitespace
    except InvalidOperation:
        return ZERO
    return value if value.is_finite() else ZERO


def dec_or_none(text: str | None) -> Decimal | None:
    """A KIS number string as ``Decimal``, or ``None`` when the server left it blank or out."""
    if text is None:
        return None
    text = text.strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def yyyymmdd(text: str | None) -> date | None:
    """``"20240620"`` → ``date(2024, 6, 20)``; blanks and zeros → ``None``."""
    if not text or len(text) != 8 or not text.isdigit() or text == "00000000":
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def render(value: Any, indent: int = 0) -> str:
    """Plain rendering for reprs: Decimals as plain numbers (71000, never 7.1E+4), times in ISO form."""
    if isinstance(value, Decimal):
        text = format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text or "0"
    if isinstance(value, datetime | date | time):
        return repr(value.isoformat())
    if isinstance(value, KisModel):
        return value.__repr__(indent)
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        pad = "    " * (indent + 1)
        inner = ",\n".join(pad + render(item, indent + 1) for item in value)
        return "[\n" + inner + "\n" + "    " * indent + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        pad = "    " * (indent + 1)
        inner = ",\n".join(f"{pad}{key!r}: {render(item, indent + 1)}" for key, item in value.items())
        return "{\n" + inner + "\n" + "    " * indent + "}"
    return repr(value)


class KisModel(msgspec.Struct, frozen=True, kw_only=True):
    """Base of every public model: an immutable typed record with a readable multi-line ``repr``
    of the fields named in ``__repr_fields__`` (all fields when empty), nested models indented."""

    __repr_fields__: ClassVar[tuple[str, ...]] = ()
    __money_fields__: ClassVar[frozenset[str]] = frozenset()
    """Amounts, shown in their currency's places (the ``currency`` field, else :attr:`__currency__`)."""
    __rate_fields__: ClassVar[frozenset[str]] = frozenset()
    """Percentages, shown with two decimals."""
    __currency__: ClassVar[str | None] = None

    def _shown(self, name: str, indent: int = 0) -> str:
        """The field ``name`` as the repr shows it: money in its currency's places, rates with two decimals."""
        value = getattr(self, name)
        if isinstance(value, Decimal) and name in self.__rate_fields__:
            return f"{value:.2f}"
        if isinstance(value, Decimal) and name in self.__money_fields__:
            return format(money(value, getattr(self, "currency", None) or self.__currency__), "f")
        return render(value, indent)

    def __repr__(self, indent: int = 0) -> str:
        names = self.__repr_fields__ or self.__struct_fields__
        pad = "    " * (indent + 1)
        parts = [f"{pad}{name}={self._shown(name, indent + 1)}" for name in names]
        return f"{type(self).__name__}(\n" + ",\n".join(parts) + "\n" + "    " * indent + ")"

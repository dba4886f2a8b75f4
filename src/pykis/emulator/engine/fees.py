"""Fees, taxes and currencies: commission and tax rates per venue, minor units, the KRW rate table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal

from pykis.emulator.engine.records import BUY
from pykis.emulator.instruments import Instrument

MINOR = {
    "KRW": Decimal(1),
    "USD": Decimal("0.01"),
    "HKD": Decimal("0.01"),
    "CNY": Decimal("0.01"),
    "JPY": Decimal(1),
    "VND": Decimal(1),
}


def money(amount: Decimal, currency: str) -> Decimal:
    """Truncate to the currency's minor unit (KIS truncates fees and taxes)."""
    return amount.quantize(MINOR.get(currency, Decimal("0.01")), rounding=ROUND_DOWN)


@dataclass(frozen=True, slots=True)
class Fees:
    """Commission rates per venue and sell-side taxes.

    ``krx_sell_tax`` maps a year to the KRX securities transaction tax on stock sells (ETFs and ETNs are exempt):
    0.18 % in 2024, 0.15 % in 2025 and 0.20 % from 2026 (the 2025 tax law restored the earlier rate).
    """

    commission: Mapping[str, Decimal] = field(
        default_factory=lambda: {
            "KRX": Decimal("0.00015"),
            "US": Decimal("0.0025"),
            "HK": Decimal("0.003"),
            "CN": Decimal("0.003"),
            "JP": Decimal("0.003"),
            "VN": Decimal("0.003"),
        }
    )
    krx_sell_tax: Mapping[int, Decimal] = field(
        default_factory=lambda: {2024: Decimal("0.0018"), 2025: Decimal("0.0015"), 2026: Decimal("0.0020")}
    )
    sell_tax: Mapping[str, Decimal] = field(
        default_factory=lambda: {"HK": Decimal("0.001"), "CN": Decimal("0.0005"), "VN": Decimal("0.001")}
    )
    buy_tax: Mapping[str, Decimal] = field(default_factory=lambda: {"HK": Decimal("0.001")})

    def commission_rate(self, instrument: Instrument) -> Decimal:
        """Commission as a fraction of the traded amount."""
        return self.commission.get(_venue(instrument), Decimal(0))

    def tax_rate(self, instrument: Instrument, side: str, day: date) -> Decimal:
        """Tax as a fraction of the traded amount for ``side`` on ``day``."""
        venue = _venue(instrument)
        if side == BUY:
            return self.buy_tax.get(venue, Decimal(0))
        if venue == "KRX":
            if instrument.kind != "stock":
                return Decimal(0)
            years = [year for year in self.krx_sell_tax if year <= day.year]
            return self.krx_sell_tax[max(years)] if years else Decimal(0)
        return self.sell_tax.get(venue, Decimal(0))


DEFAULT_FEES = Fees()
DEFAULT_RATES: Mapping[str, Decimal] = {
    "KRW": Decimal(1),
    "USD": Decimal("1400"),
    "HKD": Decimal("180"),
    "CNY": Decimal("195"),
    "JPY": Decimal("9.3"),
    "VND": Decimal("0.055"),
}
"""KRW per unit of each currency."""


def _venue(instrument: Instrument) -> str:
    if instrument.domestic:
        return "KRX"
    if instrument.us:
        return "US"
    return {"SEHK": "HK", "SSE": "CN", "SZSE": "CN", "TSE": "JP", "HNX": "VN", "HSX": "VN"}[instrument.market]


def reserve_amount(fees: Fees, instrument: Instrument, qty: int, price: Decimal, day: date) -> Decimal:
    """Cash a buy of ``qty`` at ``price`` ties up: the amount, its commission and buy tax, and one minor unit."""
    rate = fees.commission_rate(instrument) + fees.tax_rate(instrument, BUY, day)
    gross = qty * price
    return gross + money(gross * rate, instrument.currency) + MINOR.get(instrument.currency, Decimal("0.01"))

"""Numbers as people read them: the models keep exact Decimals; a computed rate is quantized once, where it is
computed (two decimals); a conversion to won is rounded once, to whole won; reprs show amounts in their
currency's places and rates with two decimals."""

from __future__ import annotations

from decimal import Decimal

from pykis.auth import KisAccountNumber
from pykis.models._base import money, rate_of, won
from pykis.models.balance import KisBalance, KisDeposit, KisForeignBalanceStock

ACCOUNT = KisAccountNumber("12345678", "01")


def _position(amount: str, purchase: str, rate: str = "1400.123456789") -> KisForeignBalanceStock:
    return KisForeignBalanceStock(
        account_number=ACCOUNT,
        market="NASDAQ",
        symbol="NVDA",
        name="엔비디아",
        currency="USD",
        qty=20,
        orderable=20,
        purchase_price=Decimal(purchase) / 20,
        price=Decimal(amount) / 20,
        purchase_amount=Decimal(purchase),
        amount=Decimal(amount),
        profit=Decimal(amount) - Decimal(purchase),
        exchange_rate=Decimal(rate),
    )


def test_rates_are_quantized_once_where_computed() -> None:
    assert rate_of(Decimal(1), Decimal(270)) == Decimal("0.37")  # not 0.3703703703703703703703703704
    assert rate_of(Decimal(1), Decimal(0)) == Decimal("0.00")
    assert _position("3408.8", "3310").profit_rate == Decimal("2.98")  # 98.8 / 3310 = 2.9849…


def test_won_and_money() -> None:
    assert won(Decimal("3408.80"), Decimal("1400.123456789")) == Decimal(4772741)
    assert str(won(Decimal(100), Decimal("1400.0000000000"))) == "140000"  # no trailing zeros to print
    assert str(money(Decimal("3408.8"), "USD")) == "3408.80" and str(money(Decimal("7588000.000"), "KRW")) == "7588000"


def test_a_balance_prints_as_people_read_it() -> None:
    deposit = KisDeposit(
        account_number=ACCOUNT,
        currency="USD",
        amount=Decimal("100000.5"),
        withdrawable=Decimal(100000),
        exchange_rate=Decimal("1400.1234567890"),
    )
    balance = KisBalance(account_number=ACCOUNT, deposits={"USD": deposit}, stocks=[_position("3408.8", "3310")])
    assert str(balance.total) == str(balance.deposit_amount + balance.current_amount)
    assert "." not in str(balance.total) and balance.profit_rate == rate_of(balance.profit, balance.purchase_amount)
    text = repr(balance)
    assert "amount=3408.80" in text and "profit=98.80" in text and "profit_rate=2.98" in text
    assert "amount=100000.50" in text and f"profit_rate={balance.profit_rate:.2f}" in text
    assert _position("3408.8", "3310").amount == Decimal("3408.8")  # the model keeps the exact value

"""The demo accounts every emulator starts with, opened in the matching engine.

Each environment's demo app trades its own account (``AppCredential.account``). The real one holds
KRW 100,000,000 and USD 100,000 and a few positions, so the seed README's balance example has data from the
first call; the virtual one starts like a fresh 모의투자 account (KRW 100,000,000 — the broker's default
virtual deposit — and USD 100,000) with the same positions. Accounts already in a state file are kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pykis.emulator.engine import Engine
    from pykis.emulator.gateway import AppCredential

__all__ = ["DEMO_CASH", "DEMO_POSITIONS", "open_demo_accounts"]

DEMO_CASH: dict[str, Decimal] = {"KRW": Decimal(100_000_000), "USD": Decimal(100_000)}
DEMO_POSITIONS: tuple[tuple[str, str | None, int, Decimal], ...] = (
    ("000660", "KOSPI", 14, Decimal(540000)),
    ("005930", "KOSPI", 118, Decimal(71000)),
    ("NVDA", "NASDAQ", 20, Decimal("165.50")),
    ("AAPL", "NASDAQ", 5, Decimal("250.00")),
)


def open_demo_accounts(engine: Engine, apps: Iterable[AppCredential]) -> None:
    """Open every app's account with the demo cash and positions, unless it exists already."""
    for app in apps:
        engine.open_account(app.account, cash=DEMO_CASH, positions=DEMO_POSITIONS)

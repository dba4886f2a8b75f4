"""The asyncio scope classes are generated from the blocking ones (scripts/generate_twins.py) and kept current."""

from __future__ import annotations

import importlib.util
import inspect
import sys
from pathlib import Path
from types import ModuleType

import pytest

from pykis.scopes.account import AsyncKisAccount, KisAccount
from pykis.scopes.orders import AsyncKisOrder, KisOrder
from pykis.scopes.stock import AsyncKisStock, AsyncStockTrading, KisStock, StockTrading

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "generate_twins.py"


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_twins", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_twins"] = module
    spec.loader.exec_module(module)
    return module


def test_the_checked_in_twins_are_current(generator: ModuleType) -> None:
    assert generator.main(["--check"]) == 0


SAMPLE = '''class KisThing(Base):
    """Blocking."""

    _core: PyKis

    @property
    def state(self) -> KisOrder | None:
        """One inquiry."""
        found: int = self._core.run(flow(self._core))
        return None if found is None else KisOrder(self._core, found)

    @property
    def alive(self) -> bool:
        return self.state is not None

    def go(self, qty: int) -> KisOrder:
        return KisOrder(self._core, self._core.run(go_flow(qty)))

    def go_twice(self) -> KisPendingOrders:
        self.go(1)
        return KisPendingOrders(self.go(2))

    def on(self, callback: object) -> None:
        self._core.websocket.on(callback)
'''


def test_the_rewrite_awaits_drivers_and_renames_twins(generator: ModuleType) -> None:
    twin = generator.Twin("x.py", "KisThing", "AsyncKisThing", "Base", "Asyncio.")
    out = generator.twin_source(SAMPLE, twin)
    assert out.startswith('class AsyncKisThing(Base):\n    """Asyncio."""')
    assert "_core: AsyncPyKis" in out
    assert "    @property\n    async def state(self) -> AsyncKisOrder | None:" in out  # `await thing.state`
    assert "found: int = await self._core.run(flow(self._core))" in out
    assert "return (await self.state) is not None" in out and "    @property\n    async def alive" in out
    assert "await self.go(1)" in out and "KisPendingOrders(await self.go(2))" in out  # the plural is shared
    assert "    def on(self, callback: object) -> None:" in out  # no request: copied as it is


@pytest.mark.parametrize(
    ("blocking", "twin"),
    [
        (KisAccount, AsyncKisAccount),
        (KisStock, AsyncKisStock),
        (KisOrder, AsyncKisOrder),
        (StockTrading, AsyncStockTrading),
    ],
)
def test_every_blocking_operation_has_an_awaitable_twin_with_the_same_parameters(blocking: type, twin: type) -> None:
    for name, member in vars(blocking).items():
        if name.startswith("_") or not (callable(member) or isinstance(member, property)):
            continue
        mirrored = inspect.getattr_static(twin, name)
        assert isinstance(mirrored, property) == isinstance(member, property), name  # one name, one form
        mirrored = mirrored.fget if isinstance(mirrored, property) else mirrored
        function = member.fget if isinstance(member, property) else member
        assert function is not None
        if name in ("on",):
            assert not inspect.iscoroutinefunction(mirrored)
            continue
        assert inspect.iscoroutinefunction(mirrored), f"{twin.__name__}.{name} is not a coroutine function"
        expected = list(inspect.signature(function).parameters)
        assert list(inspect.signature(mirrored).parameters) == expected

"""A field the service did not send is ``None`` and documented so: the batch quote is its own documented type,
and markets without daily limits have no limits (not zero)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pykis import KisDomesticBatchQuote, KisDomesticQuote, PyKis
from pykis.emulator import Emulator


@pytest.fixture(scope="module")
def kis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PyKis]:
    with Emulator(secrets_dir=tmp_path_factory.mktemp("quote-secrets")) as emu, PyKis(emu.real.auth) as client:
        yield client


def test_a_batch_quote_says_what_it_lacks(kis: PyKis, private_cache: Path) -> None:
    [batch] = kis.quotes(["005930"])
    single = kis.stock("005930").quote()
    assert type(batch) is KisDomesticBatchQuote and isinstance(batch, KisDomesticQuote)
    assert type(single) is KisDomesticQuote
    assert (batch.sector_name, batch.market_cap, batch.indicator) == (None, None, None)
    assert single.sector_name and single.market_cap and single.indicator is not None
    doc = KisDomesticBatchQuote.__doc__ or ""
    assert all(name in doc for name in ("sector_name", "market_cap", "indicator", "stock.quote()"))
    assert "KisDomesticBatchQuote(" in repr(batch)  # the repr names the kind, so the Nones have a reason
    assert batch.upper_limit and batch.lower_limit and batch.lower_limit < batch.price < batch.upper_limit


def test_a_market_without_daily_limits_has_none(kis: PyKis, private_cache: Path) -> None:
    quote = kis.stock("NVDA").quote()
    assert quote.upper_limit is None and quote.lower_limit is None
    assert quote.price > 0

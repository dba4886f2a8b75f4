"""The public names: importable from ``pykis``, sorted, and lazily loaded."""

from __future__ import annotations

import pykis


def test_every_public_name_is_importable_and_sorted() -> None:
    assert pykis.__all__ == sorted(pykis.__all__)
    for name in pykis.__all__:
        assert getattr(pykis, name) is not None, name


def test_market_data_models_are_exported() -> None:
    wanted = {
        "KisQuote", "KisDomesticQuote", "KisForeignQuote", "KisIndicator", "KisChart", "KisChartBar",
        "KisOrderbook", "KisOrderbookLevel", "KisStock", "AsyncKisStock", "KisTradingHours", "KisMarketSession",
    }  # fmt: skip
    assert wanted <= set(pykis.__all__)
    assert issubclass(pykis.KisForeignQuote, pykis.KisQuote)
    assert pykis.KisChart.__module__ == "pykis.models.chart"

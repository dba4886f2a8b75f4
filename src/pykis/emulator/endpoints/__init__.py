"""The endpoints the emulator serves. :func:`default_registry` builds the full set; later issues add modules here."""

from __future__ import annotations

from pykis.emulator.endpoints import (
    accounts_domestic,
    accounts_overseas,
    auth,
    domestic,
    market_data,
    market_data_overseas,
    overseas,
    products,
    trading_domestic,
    trading_overseas,
)
from pykis.emulator.endpoints import catalog as catalog_answers
from pykis.emulator.gateway import TrCatalog
from pykis.emulator.rest import EndpointRegistry

__all__ = ["default_registry"]


def default_registry(catalog: TrCatalog | None = None) -> EndpointRegistry:
    """A registry with every endpoint the emulator implements."""
    registry = EndpointRegistry(catalog)
    for module in (
        auth,
        domestic,
        overseas,
        market_data,
        market_data_overseas,
        products,
        trading_domestic,
        trading_overseas,
        accounts_domestic,
        accounts_overseas,
    ):
        module.register(registry)
    catalog_answers.register(registry)  # last: generic answers for every API no module above serves
    return registry

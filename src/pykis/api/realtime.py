"""One event type per realtime TR of the catalog (generated): ``kis.api.on(DomesticStockCcnlKrx, "005930", cb)``."""

from pykis.api._generated.realtime import *  # noqa: F403
from pykis.api._generated.realtime import EVENTS, __all__  # noqa: F401

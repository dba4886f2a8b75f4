"""One event type per realtime TR of the catalog (generated): ``kis.api.on(DomesticStockCcnlKrx, "005930", cb)``.

The types live with the models (:mod:`pykis.models._realtime_events`), which decode through their columns."""

from pykis.models._realtime_events import *  # noqa: F403
from pykis.models._realtime_events import EVENTS, __all__  # noqa: F401

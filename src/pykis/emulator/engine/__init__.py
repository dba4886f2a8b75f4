"""The matching engine: accounts, cash, positions and orders against the simulated market. Pure; clock injected.

The engine never reads the system time: ``Market.clock`` is the only source of "now". Every public mutation
first brings the book up to date (``match``), then applies the request, then writes the changed records to the
optional journal (``state.Store``) before it returns, so an acknowledged order survives a restart.

Fill model
----------
* A marketable order walks the displayed book (``Market.orderbook``) level by level and takes at most the
  displayed quantity per level; what our earlier orders took in the same second is subtracted. The rest rests
  (limit), is cancelled (IOC) or, if the book could not fill all of it, the whole order is cancelled (FOK).
* A resting limit order fills at its own price once the simulated price trades *through* it; when the price only
  touches it, a tenth of the volume traded since the last step is shared among our orders at that price in
  price-time priority.
* Closing-price sessions (ORD_DVSN 05/06) fill at the previous/today's close; MOO/LOO (31/32) at the open,
  MOC/LOC (33/34) at the close; TWAP/VWAP (35/36) fill evenly over their window.
* Day orders expire at the end of their session with a ``cancelled`` event.

Modify and cancel follow KIS: each creates a new order number whose ``original_order_no`` names the original;
``QTY_ALL_ORD_YN`` = N moves only part of the remaining quantity. A request against an order with nothing left
is refused (``APBK0927``).

Messages: ``APBK0013`` (accepted), ``APBK0952`` (cash), ``APBK0918`` (market closed) and ``APBK0927`` (nothing to
modify/cancel) are real KIS codes seen in users' logs; the other ``APBK`` codes below are invented stand-ins and
marked so.

Modules: ``records`` (accounts, orders, fills, events, the journal protocol), ``rejects`` (message codes),
``fees``, ``order_types`` (ORD_DVSN tables), ``admission`` (checking a new order), ``ledger`` (cash, positions,
fills, events, journal writes), ``matching`` (execution on entry and over time) and ``core`` (``Engine``: place,
modify and cancel, the last two on one revision path).
"""

from pykis.emulator.engine.core import Engine, PlaceOptions
from pykis.emulator.engine.fees import DEFAULT_FEES, DEFAULT_RATES, Fees
from pykis.emulator.engine.records import BUY, SELL, Account, Fill, Journal, Order, OrderEvent, Position, Snapshot
from pykis.emulator.engine.rejects import MSG_ACCEPTED, EngineReject

__all__ = [
    "BUY",
    "DEFAULT_FEES",
    "DEFAULT_RATES",
    "MSG_ACCEPTED",
    "SELL",
    "Account",
    "Engine",
    "EngineReject",
    "Fees",
    "Fill",
    "Journal",
    "Order",
    "OrderEvent",
    "PlaceOptions",
    "Position",
    "Snapshot",
]

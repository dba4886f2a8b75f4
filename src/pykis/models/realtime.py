"""Realtime events: one small object per record of a realtime (WebSocket) data frame.

Decoding is a hot path (thousands of records a second), so an event keeps the record's raw ``^``-joined
text and decodes on access: the first two field reads parse just their field; the next one decodes every typed
field in one pass into instance attributes (``event.as_dict()`` does so at once), which later reads find as plain
attributes. A callback that reads the price and the volume pays for those two; a recorder that reads everything
pays for one split and one conversion per field (``bench/realtime_decode.py``), less where a feed repeats itself:
price texts, book levels and the datetime of a second are remembered (bounded memos of immutable values). Book
levels are :class:`KisRealtimeLevel` structs (``price, qty = level`` still unpacks). The typed fields name their
wire columns; the per-TR types generated from the catalog (:mod:`pykis.models._realtime_events`, which the API
facade re-exports) place them. Events are read-only by contract: after a full decode they hold an instance dict
(attributes assigned to an event are not supported).

Fields are positional (PROTOCOL.md §5, ``websocket.json``). The server appends fields over time
(PROTOCOL.md §15: H0STCNT0 46 → 47, H0STASP0 59 → 63), so a record may be wider than the layout a model was
written for; extra trailing fields are ignored, and fields that newer layouts added read as ``None`` on
older records. Unknown TRs decode to :class:`KisRealtimeRecord`, which offers access by column name.

=================  ==========================================  ====================================
Model              TRs                                         KIS name
=================  ==========================================  ====================================
Domestic price     H0STCNT0 (KRX), H0NXCNT0 (NXT), H0UNCNT0    국내주식 실시간체결가
Domestic book      H0STASP0 (KRX), H0NXASP0 (NXT), H0UNASP0    국내주식 실시간호가
Foreign price      HDFSCNT0                                    해외주식 실시간지연체결가
Foreign book       HDFSASP0, HDFSASP1                          해외주식 실시간호가 / 지연호가(아시아)
Domestic notice    H0STCNI0 (real), H0STCNI9 (virtual)         국내주식 실시간체결통보
Foreign notice     H0GSCNI0 (real), H0GSCNI9 (virtual)         해외주식 실시간체결통보
=================  ==========================================  ====================================
"""

from __future__ import annotations

from datetime import date

from pykis.models._realtime_base import KST, KisRealtimeEvent, KisRealtimeLevel, KisRealtimeRecord, rekey
from pykis.models._realtime_events import EVENTS
from pykis.models._realtime_market import (
    KisDomesticRealtimeOrderbook,
    KisDomesticRealtimePrice,
    KisForeignRealtimeOrderbook,
    KisForeignRealtimePrice,
    KisRealtimeOrderbook,
    KisRealtimePrice,
)
from pykis.models._realtime_notices import (
    KisDomesticRealtimeExecution,
    KisForeignRealtimeExecution,
    KisRealtimeExecution,
)

__all__ = [
    "EVENT_TYPES",
    "KST",
    "MIN_WIDTHS",
    "RSYM_TRS",
    "KisDomesticRealtimeExecution",
    "KisDomesticRealtimeOrderbook",
    "KisDomesticRealtimePrice",
    "KisForeignRealtimeExecution",
    "KisForeignRealtimeOrderbook",
    "KisForeignRealtimePrice",
    "KisRealtimeEvent",
    "KisRealtimeExecution",
    "KisRealtimeLevel",
    "KisRealtimeOrderbook",
    "KisRealtimePrice",
    "KisRealtimeRecord",
    "column_index",
    "event_for",
    "event_type",
    "rekey",
]

EVENT_TYPES: dict[str, type[KisRealtimeEvent]] = {
    "H0STCNT0": KisDomesticRealtimePrice,
    "H0NXCNT0": KisDomesticRealtimePrice,
    "H0UNCNT0": KisDomesticRealtimePrice,
    "H0STASP0": KisDomesticRealtimeOrderbook,
    "H0NXASP0": KisDomesticRealtimeOrderbook,
    "H0UNASP0": KisDomesticRealtimeOrderbook,
    "HDFSCNT0": KisForeignRealtimePrice,
    "HDFSASP0": KisForeignRealtimeOrderbook,
    "HDFSASP1": KisForeignRealtimeOrderbook,
    "H0STCNI0": KisDomesticRealtimeExecution,
    "H0STCNI9": KisDomesticRealtimeExecution,
    "H0GSCNI0": KisForeignRealtimeExecution,
    "H0GSCNI9": KisForeignRealtimeExecution,
}
"""The typed model of each TR; any other TR decodes to :class:`KisRealtimeRecord`."""

MIN_WIDTHS: dict[str, int] = {
    "H0STCNT0": 46,  # 47 since 2026-09-14 (PROTOCOL.md §15)
    "H0NXCNT0": 46,
    "H0UNCNT0": 46,
    "H0STASP0": 59,  # 63 since 2026-09-14
    "H0NXASP0": 59,  # the KRX layout plus mid-price fields
    "H0UNASP0": 59,
    "HDFSCNT0": 25,  # 26 where the realtime key (RSYM) leads
    "HDFSASP0": 16,
    "HDFSASP1": 16,
    "H0STCNI0": 23,  # 26 today (PROTOCOL.md §14)
    "H0STCNI9": 23,
    "H0GSCNI0": 18,  # the model reads fields 0..17; 25 today
    "H0GSCNI9": 18,
}
"""The narrowest record layout known per TR: a frame whose records are narrower is malformed. TRs not
listed accept any width."""

RSYM_TRS = frozenset({"HDFSCNT0", "HDFSASP0", "HDFSASP1"})
"""TRs whose records may lead with the realtime key (``RSYM``)."""


def event_type(tr_id: str) -> type[KisRealtimeEvent]:
    """The event type records of ``tr_id`` decode to: the generated per-TR type (a subclass of the hand-written
    model where there is one, else of :class:`KisRealtimeRecord`)."""
    return EVENTS.get(tr_id, KisRealtimeRecord)


def event_for(tr_id: str, raw: str, day: date | None = None) -> KisRealtimeEvent:
    """The typed event of one record of ``tr_id``."""
    kind = EVENTS.get(tr_id, KisRealtimeRecord)
    if tr_id in RSYM_TRS:
        # A leading realtime key (RSYM, e.g. "DNASAAPL^AAPL^…"): keep it as the key, drop it from the record.
        head, _, rest = raw.partition("^")
        if len(head) > 4 and head[0] in "DR" and rest.startswith(head[4:] + "^"):
            return kind(tr_id, rest, head, day)
    return kind(tr_id, raw, None, day)


def column_index(tr_id: str, name: str) -> int | None:
    """The position of column ``name`` (as named in ``websocket.json``) in records of ``tr_id``."""
    kind = EVENTS.get(tr_id)
    if kind is None:
        return None
    return kind._resolve().positions.get(name.upper())

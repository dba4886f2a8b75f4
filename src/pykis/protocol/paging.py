"""Continuation paging: the ``tr_cont`` header plus the ``CTX_AREA_*`` cursors (PROTOCOL.md §4)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pykis.protocol.request import ApiCall

if TYPE_CHECKING:
    from pykis.protocol.envelope import Envelope

__all__ = ["next_page"]

_CURSOR_PREFIXES = ("ctx_area_",)


def next_page(call: ApiCall, envelope: Envelope) -> ApiCall | None:
    """The call that reads the next page, or ``None`` when ``envelope`` was the last one.

    Cursors come back in lower case (``ctx_area_fk100``) and go out under the request field of the
    same name, in the case the request already used, else upper case (``CTX_AREA_FK100``).
    """
    if not envelope.has_next:
        return None
    by_lower = {name.lower(): name for name in call.params}
    cursors: dict[str, str] = {}
    for key, value in envelope.body.items():
        lowered = key.lower()
        if lowered.startswith(_CURSOR_PREFIXES) and isinstance(value, str):
            cursors[by_lower.get(lowered, key.upper())] = value
    return call.continued(cursors)

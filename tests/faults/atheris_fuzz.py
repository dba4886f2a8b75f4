"""Coverage-guided fuzzing of the decoders with atheris (``make soak`` runs it when atheris is installed).

    .venv/bin/python tests/faults/atheris_fuzz.py -max_total_time=60 -rss_limit_mb=2048

One input drives every decoder a server or a file can reach: realtime frames (plain and encrypted), REST
envelopes with their typed models and next page, and master files and archives. Each may only return or raise
its typed error; anything else is a crash atheris reports with the input that caused it.
"""

from __future__ import annotations

import sys
from datetime import date

import atheris

with atheris.instrument_imports():
    from pykis.drivers.websocket_handlers import decode_frame
    from pykis.errors import KisError, KisRealtimeDecodeError
    from pykis.exchanges.masters import DOMESTIC_FILES, OVERSEAS_FILES, rows_of, unzip
    from pykis.models.quote import DomesticQuoteBody
    from pykis.protocol.envelope import decode_envelope
    from pykis.protocol.http import HttpResponse
    from pykis.protocol.paging import next_page
    from pykis.protocol.request import ApiCall
    from pykis.protocol.websocket import Cipher, DataFrame, parse_message

CIPHER = Cipher("k" * 32, "i" * 16)
CALL = ApiCall("GET", "/uapi/x", "TTTC8434R", {"CTX_AREA_FK100": ""})
DAY = date(2026, 11, 27)


def one(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    choice = provider.ConsumeIntInRange(0, 3)
    if choice == 0:
        message = parse_message(provider.ConsumeUnicodeNoSurrogates(4096))
        if isinstance(message, DataFrame):
            try:
                for event in decode_frame(message, CIPHER, DAY):
                    for name in dir(event):
                        if not name.startswith("_"):
                            getattr(event, name)
            except KisRealtimeDecodeError:
                pass
    elif choice == 1:
        status = provider.PickValueInList([200, 500, 403])
        body = provider.ConsumeBytes(4096)
        try:
            envelope = decode_envelope(HttpResponse(status, {"tr_cont": "M"}, body), "FHKST01010100")
            envelope.decode(DomesticQuoteBody)
            next_page(CALL, envelope)
        except KisError:
            pass
    elif choice == 2:
        try:
            unzip(provider.ConsumeBytes(4096))
        except ValueError:
            pass
    else:
        content = provider.ConsumeBytes(8192)
        for name in (*DOMESTIC_FILES, next(iter(OVERSEAS_FILES))):
            list(rows_of(name, content))


if __name__ == "__main__":
    atheris.Setup(sys.argv, one)
    atheris.Fuzz()

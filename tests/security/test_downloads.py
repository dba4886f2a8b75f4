"""Master-file downloads from a hostile host are capped, and never inflated (issue 18, item 1)."""

from __future__ import annotations

import zlib
from http.server import BaseHTTPRequestHandler

import pytest

from pykis import AsyncPyKis, KisHosts, PyKis
from pykis.errors import KisTransportError
from pykis.exchanges.masters import MAX_MASTER_BYTES
from tests.security.conftest import Hostile

APPKEY, SECRET = "P" + "k" * 35, "s" * 180


def endless_gzip(handler: BaseHTTPRequestHandler) -> None:
    """A gzip-encoded body that never ends: each kilobyte on the wire inflates to a MiB of zeros."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/zip")
    handler.send_header("Content-Encoding", "gzip")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * (1 << 20)
    first = packer.compress(zeros) + packer.flush(zlib.Z_SYNC_FLUSH)
    # A flushed block of zeros only refers back to zeros: sent again and again it inflates the same.
    block = packer.compress(zeros) + packer.flush(zlib.Z_SYNC_FLUSH)
    for chunk in [first] + [block] * (4 * MAX_MASTER_BYTES >> 20):  # 4x the cap: more than a capped client reads
        handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))


def oversized_length(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", str(MAX_MASTER_BYTES + 1))
    handler.end_headers()
    handler.wfile.write(b"PK")


def hosts(hostile: Hostile) -> KisHosts:
    return KisHosts(hostile.url, "ws://127.0.0.1:9", masters=f"{hostile.url}/master")


HOSTILE = pytest.mark.parametrize(
    ("answer", "refusal"),
    [
        (endless_gzip, "gzip-encoded, unasked; refused"),
        (oversized_length, f"more than {MAX_MASTER_BYTES >> 20} MiB; refused"),
    ],
    ids=["gzip_bomb", "declared_length"],
)


@HOSTILE
def test_a_master_download_past_the_cap_is_a_typed_error(hostile: Hostile, answer: object, refusal: str) -> None:
    hostile.answer = answer  # type: ignore[assignment]
    with (
        PyKis(id="u", account="12345678-01", appkey=APPKEY, secretkey=SECRET, hosts=hosts(hostile)) as kis,
        pytest.raises(KisTransportError, match=refusal),
    ):
        kis.search("AAPL", markets=["NASDAQ"])
    assert [path for _, path, _, _ in hostile.seen] == ["/master/nasmst.cod.zip"]


@HOSTILE
async def test_the_asyncio_download_has_the_same_cap(hostile: Hostile, answer: object, refusal: str) -> None:
    hostile.answer = answer  # type: ignore[assignment]
    async with AsyncPyKis(id="u", account="12345678-01", appkey=APPKEY, secretkey=SECRET, hosts=hosts(hostile)) as kis:
        with pytest.raises(KisTransportError, match=refusal):
            await kis.search("AAPL", markets=["NASDAQ"])

from __future__ import annotations

from pykis.protocol.envelope import Envelope
from pykis.protocol.paging import next_page
from pykis.protocol.request import ApiCall


def call(**params: str) -> ApiCall:
    return ApiCall("GET", "/uapi/domestic-stock/v1/trading/inquire-balance", "TTTC8434R", params, trading=True)


def test_cursors_are_copied_under_the_request_names() -> None:
    first = call(CANO="50113500", CTX_AREA_FK100="", CTX_AREA_NK100="")
    page = Envelope({"rt_cd": "0", "ctx_area_fk100": "A^B   ", "ctx_area_nk100": "C  "}, "TTTC8434R", "M")
    following = next_page(first, page)
    assert following is not None
    assert following.tr_cont == "N"
    assert following.params == {"CANO": "50113500", "CTX_AREA_FK100": "A^B   ", "CTX_AREA_NK100": "C  "}


def test_lower_case_request_fields_keep_their_case() -> None:
    first = call(ctx_area_fk200="", ctx_area_nk200="")
    page = Envelope({"ctx_area_fk200": "x", "ctx_area_nk200": "y"}, None, "F")
    following = next_page(first, page)
    assert following is not None
    assert following.params == {"ctx_area_fk200": "x", "ctx_area_nk200": "y"}


def test_unknown_cursor_goes_out_upper_case() -> None:
    following = next_page(call(), Envelope({"ctx_area_fk": "q"}, None, "F"))
    assert following is not None
    assert following.params == {"CTX_AREA_FK": "q"}


def test_last_page_ends_paging() -> None:
    for flag in ("D", "E", ""):
        assert next_page(call(), Envelope({"ctx_area_fk100": "x"}, None, flag)) is None

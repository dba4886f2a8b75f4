from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pykis.errors import KisValidationError
from pykis.protocol.env import Environment, KisHosts, virtual_tr_id
from pykis.protocol.request import ApiCall, Credentials, build_request

CREDENTIALS = Credentials("A" * 36, "S" * 180)


@pytest.mark.parametrize(
    ("real", "virtual"),
    [
        ("TTTC8434R", "VTTC8434R"),
        ("TTTC0012U", "VTTC0012U"),
        ("TTTT1006U", "VTTT1001U"),
        ("JTCE1001U", "VTCE1001U"),
        ("CTSC0008U", "VTSC0008U"),
        ("FHKST01010100", "FHKST01010100"),
        ("HHDFS00000300", "HHDFS00000300"),
    ],
)
def test_virtual_tr_ids(real: str, virtual: str) -> None:
    assert virtual_tr_id(real) == virtual


def test_get_sends_a_query_and_post_an_upper_case_body() -> None:
    get = ApiCall("GET", "/q", "FHKST01010100", {"FID_INPUT_ISCD": "005930"})
    request = build_request(get, Environment.REAL, CREDENTIALS, "tok")
    assert request.params == {"FID_INPUT_ISCD": "005930"}
    assert request.json is None
    assert request.headers["custtype"] == "P"
    assert request.headers["tr_cont"] == ""
    post = ApiCall("POST", "/o", "TTTC0012U", {"cano": "50113500", "PDNO": "005930"}, trading=True)
    request = build_request(post, Environment.VIRTUAL, CREDENTIALS, "tok")
    assert request.json == {"CANO": "50113500", "PDNO": "005930"}
    assert request.headers["tr_id"] == "VTTC0012U"


def test_tr_missing_in_virtual_is_refused_locally() -> None:
    call = ApiCall("GET", "/x", "FHPST02400000", virtual_supported=False)
    with pytest.raises(KisValidationError, match="virtual"):
        build_request(call, Environment.VIRTUAL, CREDENTIALS, "tok")


@given(st.dictionaries(st.text(min_size=1, max_size=8), st.integers(), min_size=1, max_size=3))
def test_non_string_values_are_refused(params: dict[str, int]) -> None:
    call = ApiCall("GET", "/q", "FHKST01010100", params)  # type: ignore[arg-type]
    with pytest.raises(KisValidationError, match="string"):
        build_request(call, Environment.REAL, CREDENTIALS, None)


def test_hosts_strip_trailing_slashes() -> None:
    assert KisHosts("http://127.0.0.1:1/", "ws://127.0.0.1:2/").rest == "http://127.0.0.1:1"
    assert KisHosts.default(Environment.VIRTUAL).rest.endswith(":29443")

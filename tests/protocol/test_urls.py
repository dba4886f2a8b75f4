"""pykis.protocol.urls answers as urllib.parse does, for every input: the cold start's own reading of plain URLs
and queries (issue 15) must never differ from urllib's, and anything else is urllib's own answer."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pykis.protocol.urls import PlainUrl, query, split

_HOST_CHARS = st.sampled_from("aZ09.-_~:@[]%가 \t/")
_URLS = st.builds(
    lambda scheme, host, port, path: f"{scheme}://{host}{port}{path}",
    st.sampled_from(["http", "HTTPS", "ws", "h2", "", "ht tp"]),
    st.text(_HOST_CHARS, max_size=12),
    st.sampled_from(["", ":", ":0", ":80", ":0443", ":65535", ":65536", ":99999", ":-1", ":x"]),
    st.text(st.sampled_from("aZ09/._~-?#=&가% "), max_size=12),
)


def _read(splitter: Callable[[str], object], url: str) -> object:
    """Every part urlsplit names, or the error it raises, part by part (a port is checked only when asked)."""
    try:
        parts = splitter(url)
    except ValueError as exc:
        return ("refused", str(exc))
    answer: list[object] = []
    for name in ("scheme", "netloc", "path", "hostname", "port"):
        try:
            answer.append(getattr(parts, name))
        except ValueError as exc:
            answer.append(("refused", str(exc)))
    return answer


@given(_URLS)
def test_urls_split_as_urlsplit_splits_them(url: str) -> None:
    assert _read(split, url) == _read(urlsplit, url)


@given(st.text(max_size=40))
def test_any_text_splits_as_urlsplit_splits_it(url: str) -> None:
    assert _read(split, url) == _read(urlsplit, url)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080", "https://openapi.koreainvestment.com:9443", "HTTP://LocalHost:80/uapi/", "http://h"],
)
def test_the_service_and_sandbox_urls_are_read_without_urllib(url: str) -> None:
    assert isinstance(split(url), PlainUrl)
    assert _read(split, url) == _read(urlsplit, url)


_FIELDS = st.text(st.sampled_from("AZaz09_.-~ +&=%/?가\n"), max_size=8)


@given(st.dictionaries(_FIELDS, _FIELDS, max_size=4))
def test_queries_are_built_as_urlencode_builds_them(params: dict[str, str]) -> None:
    assert query(params) == urlencode(params)


def test_a_quote_s_query_is_built_without_escaping() -> None:
    params = {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"}
    assert query(params) == urlencode(params) == "FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=005930"

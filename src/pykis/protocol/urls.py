"""Base URLs split and query strings built as :mod:`urllib.parse` does, without its import on a cold start.

``urllib.parse`` and the ``ipaddress`` it imports cost a short script's first quote ~1.6 ms (issue 15). The URLs
and queries on that path are plain (``https://host:port/path``; ``FID_INPUT_ISCD=005930``), and for those the
result is written here; anything else — brackets, user info, a query, blanks, a character to escape — is handed
to ``urllib.parse`` itself, so every input gets urllib's answer, errors included.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from urllib.parse import SplitResult

__all__ = ["PlainUrl", "query", "split"]

# scheme://host[:port][/path], every character one urlsplit passes through as it is (host names and paths
# of letters, digits and -._~), a port that is a valid one.
_PLAIN = re.compile(r"([A-Za-z]+)://([A-Za-z0-9.-]+)(?::([0-9]{1,5}))?((?:/[A-Za-z0-9._~-]*)*)")
_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]*")  # what urlencode (quote_plus) leaves as it is


class PlainUrl:
    """The parts of a plain URL, named as :class:`urllib.parse.SplitResult` names them."""

    __slots__ = ("hostname", "netloc", "path", "port", "scheme")

    def __init__(self, scheme: str, host: str, port: str | None, path: str) -> None:
        self.scheme = scheme.lower()
        self.netloc = host if port is None else f"{host}:{port}"
        self.hostname: str | None = host.lower()
        self.port = None if port is None else int(port)
        self.path = path


def split(url: str) -> PlainUrl | SplitResult:
    """``urllib.parse.urlsplit(url)``: its answer, or the same parts of a plain URL without importing it."""
    plain = _PLAIN.fullmatch(url)
    if plain is not None:
        scheme, host, port, path = plain.groups()
        if port is None or int(port) <= 65535:  # urlsplit refuses a bigger port when asked for it
            return PlainUrl(scheme, host, port, path)
    from urllib.parse import urlsplit  # noqa: PLC0415 — only for a URL that is not plain (see the module)

    return urlsplit(url)


def query(params: Mapping[str, str]) -> str:
    """``urllib.parse.urlencode(params)``: built here when no name or value has a character to escape."""
    if all(
        isinstance(name, str)
        and isinstance(value, str)
        and _UNRESERVED.fullmatch(name)
        and _UNRESERVED.fullmatch(value)
        for name, value in params.items()
    ):
        return "&".join(f"{name}={value}" for name, value in params.items())
    from urllib.parse import urlencode  # noqa: PLC0415 — only for what needs escaping (see the module)

    return urlencode(params)

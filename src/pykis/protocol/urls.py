"""Base URLs split and query strings built as :mod:`urllib.parse` does, without its import on a cold start.

``urllib.parse`` and the ``ipaddress`` it imports cost a short script's first quote ~1.6 ms (issue 15). The URLs
and queries on that path are plain (``https://host:port/path``; ``FID_INPUT_ISCD=005930``), and for those the
result is written here; anything else — brackets, user info, a query, blanks, a character to escape — is handed
to ``urllib.parse`` itself, so every input gets urllib's answer, errors included.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from urllib.parse import SplitResult

__all__ = ["PlainUrl", "query", "split"]

# What urlsplit and urlencode pass through as it is. Checked with str.strip (what is left is what is not
# allowed), not a regular expression: compiling one costs a cold start ~0.1 ms.
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_DIGITS = "0123456789"
_UNRESERVED = _LETTERS + _DIGITS + "._~-"  # urlencode's (quote_plus's) safe characters
_HOST = _LETTERS + _DIGITS + ".-"


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
    """``urllib.parse.urlsplit(url)``: its answer, or the same parts of a plain URL without importing it:
    ``scheme://host[:port][/path]`` of ASCII letters (scheme), letters, digits, ``.`` and ``-`` (host), a port
    of 0-65535 written in at most 5 digits, and a path of letters, digits and ``/._~-``."""
    scheme, sep, rest = url.partition("://")
    netloc, slash, path = rest.partition("/")
    host, colon, port = netloc.partition(":")
    if (
        sep
        and _only(scheme, _LETTERS)
        and _only(host, _HOST)
        and (not colon or (_only(port, _DIGITS) and len(port) <= 5 and int(port) <= 65535))
        and (not slash or not path.strip(_UNRESERVED + "/"))
    ):
        return PlainUrl(scheme, host, port if colon else None, slash + path)
    from urllib.parse import urlsplit  # noqa: PLC0415 — only for a URL that is not plain (see the module)

    return urlsplit(url)


def query(params: Mapping[str, str]) -> str:
    """``urllib.parse.urlencode(params)``: built here when no name or value has a character to escape."""
    if all(_unreserved(name) and _unreserved(value) for name, value in params.items()):
        return "&".join(f"{name}={value}" for name, value in params.items())
    from urllib.parse import urlencode  # noqa: PLC0415 — only for what needs escaping (see the module)

    return urlencode(params)


def _only(text: str, allowed: str) -> bool:
    """``text`` is not empty and every character of it is one of ``allowed``."""
    return bool(text) and not text.strip(allowed)


def _unreserved(text: object) -> bool:
    return isinstance(text, str) and not text.strip(_UNRESERVED)

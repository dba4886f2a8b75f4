"""Credentials: :class:`KisAuth` holds one app key pair and its account, and stores it in a secret file."""

from __future__ import annotations

import os
import re
import stat
from typing import Any

import msgspec
from msgspec.structs import force_setattr

from pykis._files import StrPath, write_private
from pykis._log import lazy_logger
from pykis._secrets import register
from pykis.errors import KisCredentialError
from pykis.protocol.jsonvalue import loads

__all__ = ["KisAccountNumber", "KisAuth", "mask", "write_private"]

log = lazy_logger()

APPKEY_LENGTH = 36
SECRETKEY_LENGTH = 180
_ACCOUNT = re.compile(r"^(\d{8})-?(\d{2})$")


def _absolute_url(url: object) -> bool:
    """``http(s)://`` or ``ws(s)://`` and a host (what follows starts with neither a blank nor ``/``). By hand: the
    regular expression it would take costs a cold start ~0.1 ms to compile."""
    if not isinstance(url, str):
        return False
    scheme, sep, rest = url.partition("://")
    return (
        bool(sep) and scheme in ("http", "https", "ws", "wss") and rest[:1] not in ("", "/") and not rest[0].isspace()
    )


def mask(value: str, keep: int = 4) -> str:
    """``"PSED321zABC…"`` → ``"PSED…"``: enough to tell keys apart in a log, never enough to use one."""
    if not value:
        return "''"
    return f"{value[:keep]}…" if len(value) > keep else "…"


class KisAccountNumber(msgspec.Struct, frozen=True):
    """An account number: 8-digit ``CANO`` plus 2-digit product code ``ACNT_PRDT_CD`` (01 stocks)."""

    number: str
    product: str = "01"

    @classmethod
    def parse(cls, text: str) -> KisAccountNumber:
        """Parse ``"NNNNNNNN-NN"`` (or the same ten digits without the dash)."""
        match = _ACCOUNT.match(text.strip()) if isinstance(text, str) else None
        if match is None:
            raise KisCredentialError(
                f"account number must look like 'NNNNNNNN-NN' (8 digits, dash, 2-digit product code), got {text!r}"
            )
        return cls(match.group(1), match.group(2))

    def __str__(self) -> str:
        return f"{self.number}-{self.product}"

    def __repr__(self) -> str:
        return f"KisAccountNumber('{self}')"


class KisAuth(msgspec.Struct, frozen=True):
    """One app key pair with its HTS ID and account, for the real (실전) or the virtual (모의) service.

    ``rest_url`` and ``ws_url`` are optional: they point the client at another host (a proxy, or the
    local emulator, which writes them into its secret files). ``always_open`` marks a sandbox whose every market
    is in its regular session now (the emulator's ``always-open`` clock writes it; past days still follow the
    exchanges' calendars), so trading hours agree with what the sandbox does. ``repr`` masks the key and the secret.
    """

    id: str
    appkey: str
    secretkey: str
    account: str
    virtual: bool = False
    rest_url: str | None = None
    ws_url: str | None = None
    always_open: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip():
            raise KisCredentialError("id (the HTS login ID) must be a non-empty string")
        if not isinstance(self.appkey, str) or len(self.appkey) != APPKEY_LENGTH or not self.appkey.isascii():
            got = len(self.appkey) if isinstance(self.appkey, str) else type(self.appkey).__name__
            raise KisCredentialError(f"appkey must be {APPKEY_LENGTH} ASCII characters, got {got}")
        if (
            not isinstance(self.secretkey, str)
            or len(self.secretkey) != SECRETKEY_LENGTH
            or not self.secretkey.isascii()
        ):
            got = len(self.secretkey) if isinstance(self.secretkey, str) else type(self.secretkey).__name__
            raise KisCredentialError(f"secretkey must be {SECRETKEY_LENGTH} ASCII characters, got {got}")
        for name in ("rest_url", "ws_url"):
            url = getattr(self, name)
            if url is not None and not _absolute_url(url):
                raise KisCredentialError(f"{name} must be an absolute http(s)/ws(s) URL, got {url!r}")
        register(self.appkey, self.secretkey)
        force_setattr(self, "account", str(KisAccountNumber.parse(self.account)))
        force_setattr(self, "virtual", bool(self.virtual))

    @property
    def account_number(self) -> KisAccountNumber:
        """The account as its two parts (``CANO`` and ``ACNT_PRDT_CD``)."""
        return KisAccountNumber(self.account[:8], self.account[9:])

    def __repr__(self) -> str:
        urls = f", rest_url={self.rest_url!r}" if self.rest_url else ""
        return (
            f"KisAuth(id={self.id!r}, appkey='{mask(self.appkey)}', secretkey='***', "
            f"account={self.account!r}, virtual={self.virtual}{urls})"
        )

    def to_dict(self) -> dict[str, Any]:
        """The secret-file form (contains the secret: handle with care)."""
        data: dict[str, Any] = {
            "id": self.id,
            "appkey": self.appkey,
            "secretkey": self.secretkey,
            "account": self.account,
            "virtual": self.virtual,
        }
        if self.rest_url:
            data["rest_url"] = self.rest_url
        if self.ws_url:
            data["ws_url"] = self.ws_url
        if self.always_open:
            data["always_open"] = True
        return data

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the secret file atomically with mode 0600 (readable by its owner only)."""
        import json  # noqa: PLC0415 — for its indented layout; loading a secret file needs no json package

        write_private(path, json.dumps(self.to_dict(), ensure_ascii=False, indent=2).encode())

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> KisAuth:
        """Read a secret file written by :meth:`save` (or by python-kis, whose format is the same)."""
        path = os.fspath(path)
        try:
            with open(path, "rb") as file:
                raw = file.read()
        except OSError as exc:
            raise KisCredentialError(f"cannot read secret file {str(path)!r}: {exc.strerror}") from None
        warn_if_shared(path)
        try:
            data = loads(raw)
        except ValueError:
            raise KisCredentialError(f"secret file {str(path)!r} is not valid JSON") from None
        if not isinstance(data, dict):
            raise KisCredentialError(f"secret file {str(path)!r} must hold a JSON object")
        missing = [key for key in ("id", "appkey", "secretkey", "account") if key not in data]
        if missing:
            raise KisCredentialError(f"secret file {str(path)!r} lacks {', '.join(missing)}")
        return cls(
            id=data["id"],
            appkey=data["appkey"],
            secretkey=data["secretkey"],
            account=data["account"],
            virtual=bool(data.get("virtual", False)),
            rest_url=data.get("rest_url"),
            ws_url=data.get("ws_url"),
            always_open=data.get("always_open") is True,
        )


def warn_if_shared(path: StrPath) -> bool:
    """Log a warning when a secret or token file is readable by others (POSIX); return whether it is."""
    if os.name != "posix":
        return False
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("%s is readable by other users (mode %o); run: chmod 600 %s", path, mode & 0o777, path)
        return True
    return False

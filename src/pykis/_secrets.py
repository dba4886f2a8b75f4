"""The secrets this process holds, so that no message or repr shows one.

App keys and secrets are registered when a :class:`~pykis.auth.KisAuth` is made, access tokens and
approval keys when they are issued. :func:`redact` replaces each in a text; every :class:`~pykis.errors.KisError`
passes its message through it, so a server that echoes a request (the token request carries the secret) cannot
put a secret into ``str(exc)``.
"""

from __future__ import annotations

__all__ = ["MASK", "redact", "register"]

MASK = "***"
_MIN_LENGTH = 8  # shorter values would mask ordinary words; real keys are 36+ characters
_SECRETS: set[str] = set()


def register(*values: str) -> None:
    """Remember secret ``values`` (empty or short ones are ignored)."""
    for value in values:
        if isinstance(value, str) and len(value) >= _MIN_LENGTH:
            _SECRETS.add(value)


def redact(text: str) -> str:
    """``text`` with every registered secret replaced by ``***``."""
    if not _SECRETS:
        return text
    # Longest first, so a secret that contains another is masked whole; copy() is atomic under the GIL.
    for value in sorted(_SECRETS.copy(), key=len, reverse=True):
        if value in text:
            text = text.replace(value, MASK)
    return text

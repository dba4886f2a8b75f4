"""AES-256-CBC of the execution notices (PROTOCOL.md §5): the key and IV come in the subscribe reply."""

from __future__ import annotations

import base64
import binascii

import msgspec

from pykis.errors import KisRealtimeDecodeError

__all__ = ["Cipher", "decrypt", "encrypt"]


class Cipher(msgspec.Struct, frozen=True):
    """The AES-256 key and IV of one encrypted TR, from its subscribe reply (PROTOCOL.md §5)."""

    key: str
    iv: str

    def __repr__(self) -> str:
        return "Cipher(key=***, iv=***)"


def decrypt(payload: str, cipher: Cipher, tr_id: str | None = None) -> str:
    """Base64 → AES-256-CBC (UTF-8 bytes of key and IV) → PKCS#7 unpad → UTF-8 text.

    Raises :class:`KisRealtimeDecodeError` for bad base64, a key of the wrong size, bad padding (the usual
    sign of a wrong key) or bytes that are not UTF-8.
    """
    # cryptography loads with the first notice, not with every realtime client.
    from cryptography.hazmat.primitives import padding  # noqa: PLC0415 — lazy: only notices need AES
    from cryptography.hazmat.primitives.ciphers import Cipher as AesCipher  # noqa: PLC0415
    from cryptography.hazmat.primitives.ciphers import algorithms, modes  # noqa: PLC0415

    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise KisRealtimeDecodeError("encrypted payload is not base64", tr_id=tr_id) from None
    if not data or len(data) % 16:
        raise KisRealtimeDecodeError("encrypted payload is not whole AES blocks", tr_id=tr_id)
    try:
        decryptor = AesCipher(algorithms.AES(cipher.key.encode()), modes.CBC(cipher.iv.encode())).decryptor()
        padded = decryptor.update(data) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        plain = unpadder.update(padded) + unpadder.finalize()
        return plain.decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise KisRealtimeDecodeError("notice does not decrypt with the TR's key and IV", tr_id=tr_id) from None


def encrypt(text: str, cipher: Cipher) -> str:
    """The inverse of :func:`decrypt` (for tests and the emulator)."""
    from cryptography.hazmat.primitives import padding  # noqa: PLC0415 — lazy, as in decrypt
    from cryptography.hazmat.primitives.ciphers import Cipher as AesCipher  # noqa: PLC0415
    from cryptography.hazmat.primitives.ciphers import algorithms, modes  # noqa: PLC0415

    padder = padding.PKCS7(128).padder()
    data = padder.update(text.encode("utf-8")) + padder.finalize()
    encryptor = AesCipher(algorithms.AES(cipher.key.encode()), modes.CBC(cipher.iv.encode())).encryptor()
    return base64.b64encode(encryptor.update(data) + encryptor.finalize()).decode()

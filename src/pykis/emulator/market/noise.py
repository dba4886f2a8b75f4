"""The deterministic randomness behind prices: keyed hashes, bounded variates, Gaussians and the octave table."""

from __future__ import annotations

import functools
import math
import random
from hashlib import blake2b

# hashing: a splitmix64 finaliser keyed by integers; str hashes go through blake2b (``hash()`` is salted)

_MASK = (1 << 64) - 1


def _mix(value: int) -> int:
    value = (value + 0x9E3779B97F4A7C15) & _MASK
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK
    return value ^ (value >> 31)


_HA, _HB, _HC = 0xD6E8FEB86659FD93, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9


def _h(key: int, a: int, b: int = 0, c: int = 0) -> int:
    # One finaliser over a keyed linear combination: the key is already a random 64-bit value.
    return _mix(key ^ ((a * _HA + b * _HB + c * _HC) & _MASK))


def _tris(key: int, a: int, first: int, count: int) -> list[float]:
    """``[_tri(_h(key, a, b)) for b in range(first, first + count)]``, the hash inlined."""
    out: list[float] = []
    append = out.append
    base = a * _HA
    for b in range(first, first + count):
        value = ((key ^ ((base + b * _HB) & _MASK)) + 0x9E3779B97F4A7C15) & _MASK
        value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK
        value ^= value >> 31
        append(((value & 0x1FFFFF) + ((value >> 21) & 0x1FFFFF) + ((value >> 42) & 0x1FFFFF)) * _TRI_SCALE - 3.0)
    return out


def _unit(value: int) -> float:
    """A uniform float in [0, 1) from the top 53 bits."""
    return (value >> 11) * (1.0 / 9007199254740992.0)


_TRI_SCALE = 2.0 / 2097152.0


def _tri(value: int) -> float:
    """A bounded, bell-shaped variate in [-3, 3] with unit variance (sum of three uniforms)."""
    return ((value & 0x1FFFFF) + ((value >> 21) & 0x1FFFFF) + ((value >> 42) & 0x1FFFFF)) * _TRI_SCALE - 3.0


def _text_key(text: str) -> int:
    return int.from_bytes(blake2b(text.encode(), digest_size=8).digest(), "big")


# --------------------------------------------------------------------------------------------------------------
# the price process's parameters

# Volatility multiplier per venue, small enough that the bounded noise never exceeds the daily limit (see
# _max_daily_move).
_VOL = {"KRX": 1.0, "US": 1.0, "HK": 1.0, "CN": 0.6, "JP": 1.0, "VN": 0.45}
# (knot spacing in trading days, amplitude of the log-deviation); plus an i.i.d. daily term
_OCTAVES = ((5, 0.015), (20, 0.035), (80, 0.07), (320, 0.12))
_IID = 0.008
_KIND_VOL = {"stock": 1.0, "etf": 0.6, "etn": 0.9}


def _max_daily_move() -> float:
    """Upper bound of the log move between consecutive trading days (smoothstep slope ≤ 1.5, knots in [-3, 3])."""
    return 2 * 3 * _IID + sum(amp * 1.5 * 6 / spacing for spacing, amp in _OCTAVES)


# Smoothstep abscissae of each octave, by position inside a knot interval: t = rest / spacing and 3 - 2t.
_SMOOTH = tuple(
    (tuple(rest / spacing for rest in range(spacing)), tuple(3 - 2 * (rest / spacing) for rest in range(spacing)))
    for spacing, _ in _OCTAVES
)
_TWOPI = 2.0 * math.pi


def _gaussians_inline(rng: random.Random, sigma: float, count: int) -> list[float]:
    # random.Random.gauss (Box–Muller in pairs, the second value cached) without a Python call per variate.
    random_ = rng.random
    cos, sin, log, sqrt, twopi = math.cos, math.sin, math.log, math.sqrt, _TWOPI
    out: list[float] = []
    append = out.append
    for _ in range((count + 1) >> 1):
        x2pi = random_() * twopi
        g2rad = sqrt(-2.0 * log(1.0 - random_()))
        append(0.0 + cos(x2pi) * g2rad * sigma)
        append(0.0 + sin(x2pi) * g2rad * sigma)
    del out[count:]
    return out


def _gaussians(rng: random.Random, sigma: float, count: int) -> list[float]:
    """``[rng.gauss(0.0, sigma) for _ in range(count)]`` from an ``rng`` that has not drawn a Gaussian yet.

    The same values from the same draws; the inline form is used only once it has been seen to reproduce this
    Python's ``gauss`` exactly.
    """
    if _gauss_inlinable():
        return _gaussians_inline(rng, sigma, count)
    gauss = rng.gauss
    return [gauss(0.0, sigma) for _ in range(count)]


@functools.cache
def _gauss_inlinable() -> bool:
    """Whether ``_gaussians_inline`` reproduces this Python's ``random.Random.gauss`` (and its draws) exactly."""
    for seed in (1, 20240101):
        for size in (1, 2, 7):
            reference, inline = random.Random(seed), random.Random(seed)
            expected = [*(reference.gauss(0.0, 1.7) for _ in range(size)), reference.random()]
            if [*_gaussians_inline(inline, 1.7, size), inline.random()] != expected:
                return False
    return True


_PROFILES: dict[int, tuple[float, ...]] = {}


def _volume_profile(n: int) -> tuple[float, ...]:
    """The U-shaped intraday volume weights of an ``n``-minute session (shared by every instrument)."""
    profile = _PROFILES.get(n)
    if profile is None:
        profile = _PROFILES[n] = tuple(1.0 + 6.0 * c * c for c in ((k - 0.5) / n - 0.5 for k in range(1, n + 1)))
    return profile

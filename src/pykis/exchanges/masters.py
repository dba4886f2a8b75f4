"""Symbol master files (PROTOCOL.md §8): parsing, a daily on-disk cache, and a symbol index.

``kis.stock("NVDA")`` resolves its market from these files, so resolving usually costs no API call:
the files are downloaded once a day (zipped, cp949) and kept in the cache directory.
"""

from __future__ import annotations

import io
import os
import time
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import msgspec

from pykis._files import private_dir, read_private, write_private
from pykis._log import lazy_logger
from pykis.exchanges.markets import MARKETS

__all__ = [
    "DOMESTIC_FILES",
    "MAX_MASTER_BYTES",
    "OVERSEAS_FILES",
    "MasterRow",
    "SymbolIndex",
    "parse_domestic",
    "parse_overseas",
    "unzip",
]

log = lazy_logger()

# File → (market, sub-market, tail width in characters including the newline).
DOMESTIC_FILES: dict[str, tuple[str, int]] = {"kospi_code.mst": ("KOSPI", 228), "kosdaq_code.mst": ("KOSDAQ", 222)}
OVERSEAS_FILES: dict[str, str] = {info.master_file: code for code, info in MARKETS.items() if not info.domestic}
# Overseas security type (column 9): 1 index, 2 stock, 3 ETP, 4 warrant.
_OVERSEAS_KIND = {"1": "index", "2": "stock", "3": "etf", "4": "warrant"}
_DOMESTIC_KIND = {"ST": "stock", "EF": "etf", "EN": "etn", "EW": "elw", "RT": "reit", "IF": "fund", "DR": "dr"}


class MasterRow(msgspec.Struct, frozen=True):
    """One listing: symbol, names, market (``"KRX"``/``"NASDAQ"``…), the sub-market and the kind."""

    symbol: str
    name: str
    english_name: str
    market: str
    board: str
    kind: str
    isin: str = ""
    currency: str = "KRW"
    lot_size: int = 1


MAX_MASTER_BYTES = 64 << 20
"""The largest unzipped master file accepted (the real ones are a few MB; anything bigger is a zip bomb)."""


def unzip(blob: bytes) -> bytes:
    """The single member of a master ``.zip``; ``ValueError`` for anything that is not one (a truncated
    download, an HTML error page, an empty archive, a member larger than :data:`MAX_MASTER_BYTES`)."""
    import zipfile  # noqa: PLC0415 - only a download unzips; a quote from cached masters never does

    try:
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            members = archive.infolist()
            if not members:
                raise ValueError("the master archive is empty")
            if members[0].file_size > MAX_MASTER_BYTES:
                raise ValueError(f"the master file is larger than {MAX_MASTER_BYTES} bytes")
            with archive.open(members[0]) as member:
                content = member.read(MAX_MASTER_BYTES + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise ValueError(f"not a master archive: {exc}") from None
    if len(content) > MAX_MASTER_BYTES:
        raise ValueError(f"the master file is larger than {MAX_MASTER_BYTES} bytes")
    return content


def parse_domestic(content: bytes, board: str, tail: int) -> Iterator[MasterRow]:
    """Rows of ``kospi_code.mst`` / ``kosdaq_code.mst``: head [0:9] short code, [9:21] ISIN, the name up to
    the fixed-width tail of ``tail`` characters (sliced by decoded character, newline included)."""
    width = tail - 1  # the documented tail counts the newline
    for line in content.decode("cp949", "replace").splitlines():
        if len(line) <= 21 + width:
            continue
        symbol = line[0:9].strip()
        isin = line[9:21].strip()
        name = line[21 : len(line) - width].strip()
        group = line[len(line) - width : len(line) - width + 2]
        if symbol:
            yield MasterRow(symbol, name, "", "KRX", board, _DOMESTIC_KIND.get(group, "stock"), isin)


def parse_overseas(content: bytes, market: str) -> Iterator[MasterRow]:
    """Rows of ``{nas,nys,…}mst.cod``: tab-separated, 24 columns (symbol in column 5, names 7 and 8)."""
    for line in content.decode("cp949", "replace").splitlines():
        columns = line.split("\t")
        if len(columns) < 16:
            continue
        symbol = columns[4].strip()
        if not symbol:
            continue
        try:
            lot = int(columns[13].strip() or "1")
        except ValueError:
            lot = 1
        yield MasterRow(
            symbol,
            columns[6].strip(),
            columns[7].strip(),
            market,
            columns[2].strip(),
            _OVERSEAS_KIND.get(columns[8].strip(), "stock"),
            currency=columns[9].strip() or MARKETS[market].currency,
            lot_size=max(lot, 1),
        )


class SymbolIndex:
    """Listings by symbol and a name search over them."""

    # When a US symbol appears in more than one master, the primary listing wins in this order.
    PRIORITY = ("KRX", "NYSE", "NASDAQ", "AMEX", "HKEX", "TYO", "SSE", "SZSE", "HSX", "HNX")

    def __init__(self, rows: Iterable[MasterRow] = ()) -> None:
        self._by_symbol: dict[str, list[MasterRow]] = {}
        for row in rows:
            self.add(row)

    def __len__(self) -> int:
        return sum(len(rows) for rows in self._by_symbol.values())

    def add(self, row: MasterRow) -> None:
        """Index one row."""
        self._by_symbol.setdefault(row.symbol.upper(), []).append(row)

    def lookup(self, symbol: str, market: str | None = None) -> MasterRow | None:
        """The listing of ``symbol`` (on ``market`` if given); the primary one when listed twice."""
        rows = self._by_symbol.get(symbol.upper(), [])
        if market is not None:
            rows = [row for row in rows if row.market == market]
        if not rows:
            return None
        return min(rows, key=lambda row: self.PRIORITY.index(row.market) if row.market in self.PRIORITY else 99)

    def search(self, text: str, limit: int = 20) -> list[MasterRow]:
        """Listings whose symbol, Korean or English name contains ``text`` (case-insensitive);
        exact symbol matches first, then prefix matches, then the rest."""
        needle = text.strip().upper()
        if not needle:
            return []
        scored: list[tuple[int, str, MasterRow]] = []
        for rows in self._by_symbol.values():
            for row in rows:
                fields = (row.symbol.upper(), row.name.upper(), row.english_name.upper())
                if needle == fields[0] or needle == fields[1]:
                    rank = 0
                elif any(field.startswith(needle) for field in fields):
                    rank = 1
                elif any(needle in field for field in fields):
                    rank = 2
                else:
                    continue
                scored.append((rank, row.symbol, row))
        scored.sort(key=lambda item: (item[0], item[1]))
        return [row for _, _, row in scored[:limit]]


class MasterCache:
    """Downloaded master files kept in ``directory`` for ``max_age`` seconds (a day by default)."""

    def __init__(self, directory: Path, max_age: float = 86400.0) -> None:
        self.directory = directory
        self.max_age = max_age

    def fresh(self, name: str) -> bytes | None:
        """The cached unzipped content of ``name`` if younger than ``max_age``."""

        path = self.directory / name
        try:
            if time.time() - path.stat().st_mtime > self.max_age:
                return None
            # A master file in a directory another user controls could name symbols falsely at order time.
            private_dir(self.directory)
            return read_private(path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("Ignoring the cached master file %s: %s", name, exc.strerror)
            return None

    def store(self, name: str, content: bytes) -> None:
        """Keep the unzipped content of ``name``."""

        try:
            path = private_dir(self.directory) / name
            write_private(path, content, durable=False)
            # Stamped with this process's clock, which fresh() reads too: the file system's clock may differ.
            stamp = time.time()
            os.utime(path, (stamp, stamp), follow_symlinks=False)
        except OSError as exc:
            log.warning("Cannot cache the master file %s: %s", name, exc.strerror)


def rows_of(name: str, content: bytes) -> Iterator[MasterRow]:
    """Parse a master file by its name."""
    if name in DOMESTIC_FILES:
        board, tail = DOMESTIC_FILES[name]
        return parse_domestic(content, board, tail)
    return parse_overseas(content, OVERSEAS_FILES[name])

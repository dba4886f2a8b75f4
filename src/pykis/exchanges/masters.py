"""Symbol master files (PROTOCOL.md §8): parsing, a daily on-disk cache, and a symbol index.

``kis.stock("NVDA")`` resolves its market from these files, so resolving usually costs no API call:
the files are downloaded once a day (zipped, cp949) and kept in the cache directory.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Iterable, Iterator
from threading import Lock

import msgspec

from pykis._files import StrPath, private_dir, read_private, write_private
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
    import zlib  # noqa: PLC0415 - (zipfile imports it anyway: its error class, named here)

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
    for line in content.decode("cp949", "replace").splitlines():
        row = _domestic_row(line, board, tail - 1)  # the documented tail counts the newline
        if row is not None:
            yield row


def _domestic_row(line: str, board: str, width: int) -> MasterRow | None:
    if len(line) <= 21 + width:
        return None
    symbol = line[0:9].strip()
    if not symbol:
        return None
    name = line[21 : len(line) - width].strip()
    group = line[len(line) - width : len(line) - width + 2]
    return MasterRow(symbol, name, "", "KRX", board, _DOMESTIC_KIND.get(group, "stock"), line[9:21].strip())


def parse_overseas(content: bytes, market: str) -> Iterator[MasterRow]:
    """Rows of ``{nas,nys,…}mst.cod``: tab-separated, 24 columns (symbol in column 5, names 7 and 8)."""
    for line in content.decode("cp949", "replace").splitlines():
        row = _overseas_row(line, market)
        if row is not None:
            yield row


def _overseas_row(line: str, market: str) -> MasterRow | None:
    columns = line.split("\t")
    if len(columns) < 16:
        return None
    symbol = columns[4].strip()
    if not symbol:
        return None
    try:
        lot = int(columns[13].strip() or "1")
    except ValueError:
        lot = 1
    return MasterRow(
        symbol,
        columns[6].strip(),
        columns[7].strip(),
        market,
        columns[2].strip(),
        _OVERSEAS_KIND.get(columns[8].strip(), "stock"),
        currency=columns[9].strip() or MARKETS[market].currency,
        lot_size=max(lot, 1),
    )


# Bytes that end a line for str.splitlines besides "\n" and "\r\n"; cp949 never hides one inside a character.
_ODD_BREAKS = (b"\v", b"\f", b"\x1c", b"\x1d", b"\x1e")
# Symbols the byte search can look for: printable ASCII without blanks (upper-cased, so no small letters).
_SEARCHABLE = re.compile(r"[!-~]+")


class _MasterFile:
    """A master file kept as its bytes: a symbol is found by searching them where a symbol column starts
    (a line start, or a tab) and parsing only the lines found, instead of decoding every row.

    The search finds what parsing every row finds as long as a symbol opens its column; one written after
    blanks in its column, or spelled with a letter whose capital is ASCII (ı, ß), would be found by
    :meth:`SymbolIndex.search` only. The broker's files have neither."""

    def __init__(self, name: str, content: bytes) -> None:
        self.name, self.content = name, content
        self.domestic = name in DOMESTIC_FILES
        self.market = "KRX" if self.domestic else OVERSEAS_FILES[name]
        self._folded: bytes | None = None
        self._found: dict[str, list[MasterRow]] = {}
        # Lines are "\n"- or "\r\n"-ended (a lone "\r" or another str.splitlines break would split differently).
        breaks_plain = b"\r" not in content or content.count(b"\r") == content.count(b"\r\n")
        self.searchable = breaks_plain and not any(byte in content for byte in _ODD_BREAKS)

    def rows(self) -> Iterator[MasterRow]:
        return rows_of(self.name, self.content)

    def lookup(self, key: str) -> list[MasterRow]:
        """The rows whose symbol is ``key`` (a searchable, upper-case symbol), in file order."""
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = list(self._search(key))
        return found

    def _search(self, key: str) -> Iterator[MasterRow]:
        content = haystack = self.content
        if not key.isdigit():  # symbols match case-insensitively: search an upper-cased copy
            if self._folded is None:
                self._folded = content.upper()  # ASCII letters only, so every offset stays put
            haystack = self._folded
        for position in self._anchors(haystack, key.encode("ascii")):
            start = content.rfind(b"\n", 0, position + 1) + 1
            # Overseas: the symbol is the fifth column, so the tab before it is the line's fourth.
            if not self.domestic and content.count(b"\t", start, position) != 3:
                continue
            end = content.find(b"\n", position + 1)
            line = content[start : len(content) if end == -1 else end].removesuffix(b"\r")
            row = self._row(line.decode("cp949", "replace"))
            if row is not None and row.symbol.upper() == key:
                yield row

    def _anchors(self, haystack: bytes, symbol: bytes) -> Iterator[int]:
        """Offsets of the byte before each place the symbol column may hold ``symbol``: the newline ending the
        previous line (-1 for the first) for a domestic file, the tab opening a column for an overseas one."""
        if self.domestic and haystack.startswith(symbol):
            yield -1
        # A regular expression, not bytes.find: it skips to its first byte, where find tests each needle's last.
        needle = re.compile(re.escape((b"\n" if self.domestic else b"\t") + symbol))
        for match in needle.finditer(haystack):
            yield match.start()

    def _row(self, line: str) -> MasterRow | None:
        if self.domestic:
            board, tail = DOMESTIC_FILES[self.name]
            return _domestic_row(line, board, tail - 1)
        return _overseas_row(line, self.market)


class SymbolIndex:
    """Listings by symbol and a name search over them.

    Master files added by :meth:`add_file` stay bytes until a search (or a symbol the byte search cannot look
    for) needs every row: a lookup parses only the lines that can hold its symbol. Safe to share between threads
    (a client's gathered calls)."""

    # When a US symbol appears in more than one master, the primary listing wins in this order.
    PRIORITY = ("KRX", "NYSE", "NASDAQ", "AMEX", "HKEX", "TYO", "SSE", "SZSE", "HSX", "HNX")

    def __init__(self, rows: Iterable[MasterRow] = ()) -> None:
        self._by_symbol: dict[str, list[MasterRow]] = {}
        self._pending: list[_MasterFile] = []
        self._lock = Lock()  # the pending files are parsed, and each file's finds kept, once
        for row in rows:
            self.add(row)

    def __len__(self) -> int:
        with self._lock:
            self._parse_pending()
            return sum(len(rows) for rows in self._by_symbol.values())

    def add(self, row: MasterRow) -> None:
        """Index one row."""
        with self._lock:
            self._parse_pending()  # rows stay in the order they were given
            self._by_symbol.setdefault(row.symbol.upper(), []).append(row)

    def add_file(self, name: str, content: bytes) -> None:
        """Index the rows of the master file ``name`` (a key of :data:`DOMESTIC_FILES` or
        :data:`OVERSEAS_FILES`), parsed when first needed."""
        master = _MasterFile(name, content)
        with self._lock:
            self._pending.append(master)

    def _parse_pending(self) -> None:
        pending, self._pending = self._pending, []
        for master in pending:
            for row in master.rows():
                self._by_symbol.setdefault(row.symbol.upper(), []).append(row)

    def lookup(self, symbol: str, market: str | None = None) -> MasterRow | None:
        """The listing of ``symbol`` (on ``market`` if given); the primary one when listed twice."""
        key = symbol.upper()
        with self._lock:
            if self._pending and not (_SEARCHABLE.fullmatch(key) and all(m.searchable for m in self._pending)):
                self._parse_pending()
            rows = list(self._by_symbol.get(key, ()))
            for master in self._pending:
                if market is None or master.market == market:
                    rows += master.lookup(key)
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
        with self._lock:
            self._parse_pending()
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
    """Downloaded master files kept in ``directory`` for ``max_age`` seconds (a day by default), aged by
    ``clock`` (the client's service clock, in epoch seconds): a file is stamped with it when stored and compared
    with it when read, so the file system's own clock never decides."""

    def __init__(self, directory: StrPath, clock: Callable[[], float], max_age: float = 86400.0) -> None:
        self.directory = directory
        self.clock = clock
        self.max_age = max_age

    def fresh(self, name: str) -> bytes | None:
        """The cached unzipped content of ``name`` if younger than ``max_age``."""

        path = os.path.join(self.directory, name)
        try:
            if self.clock() - os.stat(path).st_mtime > self.max_age:
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
            path = os.path.join(private_dir(self.directory), name)
            write_private(path, content, durable=False)
            stamp = self.clock()
            os.utime(path, (stamp, stamp), follow_symlinks=False)
        except OSError as exc:
            log.warning("Cannot cache the master file %s: %s", name, exc.strerror)


def rows_of(name: str, content: bytes) -> Iterator[MasterRow]:
    """Parse a master file by its name."""
    if name in DOMESTIC_FILES:
        board, tail = DOMESTIC_FILES[name]
        return parse_domestic(content, board, tail)
    return parse_overseas(content, OVERSEAS_FILES[name])

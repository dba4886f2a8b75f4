"""The other master files of PROTOCOL.md §8, in the layouts of the broker's readers (``stocks_info/``).

=========================  ======================================================  ===========================
file                       layout (one cp949 line per record)                      reader / header
=========================  ======================================================  ===========================
``konex_code.mst``         short 9, standard 12, name, a 184-character tail         kis_konex_code_mst.py
``elw_code.mst``           short 9, standard 12, name 29, right type 1, barrier 13, domestic_elw_code.py
                           basket 1, 5 underlyings × 9, issuer name, then from the
                           end issuer 5, strike 9, last day 8, days left 4, right
                           C/P 1, payment day 8, cap 9, shares 15, 10 × member 5
``idxcode.mst``            market 1, code 4, name 40 bytes                         업종코드정보.h, sector_code.py
``fo_idx_code_mts.mst``    ``|``-separated: kind, short, standard, name, ATM,      domestic_index_future_code.py
                           strike, month, underlying code, underlying name
``fo_com_code.mst``        class 1, kind 1, short 9, standard 12, name 40 bytes,    종목마스터정보(상품선물옵션).h
                           ATM 1, strike 8, month 1, underlying 3, its name 40     domestic_commodity_future_code.py
``ffcode.mst``             series 32, 3 flags, filler 47, name 50 bytes, exchange   해외선물정보.h
                           10, product 10, kind 3, decimals 5 + 5, tick 14, tick    overseas_future_code.py
                           value 14, size 10, notation 4, multiplier 10, 4 flags,
                           sub-exchange 2
``frgn_code.mst``          class 1, symbol 10, English 39, Korean 40 bytes, sector  해외주식지수정보.h
                           4, Dow/Nasdaq100/S&P flags 1+1+1, exchange 4, country 3  overseas_index_code.py
``bond_code.mst``          type 2, class 2, standard 12, name, interest class 2,    domestic_bond_code.py
                           listing, issue and redemption dates 8 each
``memcode.mst``            member 5, name, domestic/foreign flag 1 (not zipped)     종목마스터정보(회원사).h
=========================  ======================================================  ===========================

Widths counted in bytes are padded in cp949 bytes, as the C headers define them; the readers slice decoded
text, and take what follows a Korean name from the end of the line, so both agree. *Approximate*: the
emulator trades none of these products (KONEX, ELW, futures, bonds, overseas indices); each file holds a few
sample records in the real layout (real index, member and product codes where known, the others made up)
so that the broker's readers and clients of the download host work, not a market to trade.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

__all__ = ["EXTRA_MASTERS", "extra_master"]


def _pad(text: str, width: int) -> bytes:
    """``text`` left-aligned in ``width`` cp949 bytes (cut on a character boundary when too long)."""
    raw = text.encode("cp949")
    while len(raw) > width:
        text = text[:-1]
        raw = text.encode("cp949")
    return raw + b" " * (width - len(raw))


def _num(value: int | str, width: int) -> bytes:
    return str(value).rjust(width, "0").encode("ascii")


def _lines(records: Sequence[bytes]) -> bytes:
    return b"".join(record + b"\n" for record in records)


# ---------------------------------------------------------------------------------------------- domestic

_KONEX = (("278990", "KR7278990001", "에뮬코넥스바이오"), ("950000", "KR7950000004", "에뮬코넥스테크"))


def _konex() -> bytes:
    records = []
    for short, standard, name in _KONEX:
        tail = (
            b"ST" + _num(12_000, 9) + _num(1, 5) + _num(1, 5) + b"NNN" + b"00" + b"NNN" + b"00" * 3
            + _num(0, 3) + b"N" + _num(0, 3) + _num(15_000, 12) + _num(500, 12) + b"20200101"
            + _num(2_000, 15) + _num(1_000_000_000, 21) + b"12" + _num(10_000, 7) + b"0" + b"NNN"
            + _num(0, 9) * 3 + _num(0, 5) + _num(0, 9) + b"20251231" + _num(24, 9) + b"NNN"
        )  # fmt: skip
        records.append(_pad(short, 9) + _pad(standard, 12) + name.encode("cp949") + tail)
    return _lines(records)


_ELW = (
    ("57J001", "KRA5700J0010", "에뮬J001삼성전자콜", "005930", "C"),
    ("57J002", "KRA5700J0028", "에뮬J002삼성전자풋", "005930", "P"),
)


def _elw() -> bytes:
    records = []
    for short, standard, name, underlying, right in _ELW:
        head = (
            # The reader cuts the name as 29 characters (row[21:50]), not bytes.
            _pad(short, 9) + _pad(standard, 12) + name.ljust(29)[:29].encode("cp949") + b"0" + _num(0, 13) + b"N"
            + _pad(underlying, 9) + b" " * 36
        )  # fmt: skip
        tail = (
            b"00003" + _num(60_000, 9) + b"20270624" + _num(200, 4) + right.encode() + b"20270628"
            + _num(30, 9) + _num(10_000, 15) + b"00003" + b" " * 45
        )  # fmt: skip
        records.append(head + "한국투자증권".encode("cp949") + tail)
    return _lines(records)


_INDICES = (
    ("0001", "종합"), ("0002", "대형주"), ("0003", "중형주"), ("0004", "소형주"), ("0005", "음식료품"),
    ("0013", "전기,전자"), ("1001", "KOSDAQ"), ("1002", "KOSDAQ 대형주"), ("2001", "KOSPI200"),
)  # fmt: skip


def _idxcode() -> bytes:
    return _lines([code[0].encode() + code.encode() + _pad(name, 40) for code, name in _INDICES])


_INDEX_FUTURES = (
    ("1", "101W3000", "KR4101W30009", "F 202703", "", "", "1", "01", "KOSPI200"),
    ("2", "201W3350", "KR4201W33500", "C 202703 335.0", "1", "335.00", "1", "01", "KOSPI200"),
    ("3", "301W3350", "KR4301W33508", "P 202703 335.0", "3", "335.00", "1", "01", "KOSPI200"),
)


def _fo_idx() -> bytes:
    return _lines(["|".join(row).encode("cp949") for row in _INDEX_FUTURES])


_COMMODITY_FUTURES = (
    ("2", "1", "175W3000", "KR4175W30007", "미국달러 F 202703", "1", "USD", "미국달러"),
    ("1", "1", "165W3000", "KR4165W30003", "3년국채 F 202703", "1", "B03", "3년국채"),
)


def _fo_com() -> bytes:
    records = []
    for group, kind, short, standard, name, month, product, product_name in _COMMODITY_FUTURES:
        records.append(
            group.encode() + kind.encode() + _pad(short, 9) + _pad(standard, 12) + _pad(name, 40)
            + b" " + _num(0, 8) + month.encode() + product.encode() + _pad(product_name, 40)
        )  # fmt: skip
    return _lines(records)


_BONDS = (
    ("C0", "01", "KR103502GE96", "국고채권 03250-3406(24-4)", "01", "20240610", "20240610", "20340610"),
    ("A0", "02", "KR6005931E63", "에뮬전자 12-1", "01", "20250310", "20250305", "20280305"),
)


def _bonds() -> bytes:
    return _lines(
        [
            kind.encode() + group.encode() + _pad(standard, 12) + name.encode("cp949") + interest.encode()
            + listed.encode() + issued.encode() + redeemed.encode()
            for kind, group, standard, name, interest, listed, issued, redeemed in _BONDS
        ]
    )  # fmt: skip


_MEMBERS = (
    ("00003", "한국투자증권", "0"), ("00005", "미래에셋증권", "0"), ("00030", "삼성증권", "0"),
    ("00036", "KB증권", "0"), ("00054", "모간스탠리", "1"), ("00061", "골드만삭스", "1"),
)  # fmt: skip


def _members() -> bytes:
    return _lines([_pad(number, 5) + _pad(name, 40) + flag.encode() for number, name, flag in _MEMBERS])


# ---------------------------------------------------------------------------------------------- overseas

_FUTURES = (
    ("ESH27", "E-mini S&P500 2703", "CME", "ES", "001", 2, 2, "0.25", "12.5", "50", "10", "1"),
    ("CLH27", "WTI 원유 2703", "NYMEX", "CL", "004", 2, 2, "0.01", "10", "1000", "10", "1"),
    ("6EH27", "유로FX 2703", "CME", "6E", "003", 5, 5, "0.00005", "6.25", "125000", "10", "1"),
)


def _ffcode() -> bytes:
    records = []
    for series, name, exchange, product, kind, shown, calc, tick, value, size, notation, multiplier in _FUTURES:
        records.append(
            _pad(series, 32) + b"YNN" + b" " * 47 + _pad(name, 50) + _pad(exchange, 10) + _pad(product, 10)
            + _pad(kind, 3) + _num(shown, 5) + _num(calc, 5) + _pad(tick, 14) + _pad(value, 14)
            + _pad(size, 10) + _pad(notation, 4) + _pad(multiplier, 10) + b"11NN" + b"  "
        )  # fmt: skip
    return _lines(records)


_WORLD = (
    ("P", ".DJI", "DOW JONES INDUSTRIAL AVERAGE", "다우존스 산업지수", "0000", "000", "NYS", "840"),
    ("P", "COMP", "NASDAQ COMPOSITE INDEX", "나스닥 종합", "0000", "000", "NAS", "840"),
    ("P", "SPX", "S&P 500 INDEX", "S&P 500", "0000", "000", "NYS", "840"),
    ("Q", "AAPL", "APPLE INC", "애플", "0730", "111", "NAS", "840"),
    ("W", "N225", "NIKKEI 225", "니케이 225", "0000", "000", "TSE", "392"),
)


def _frgn() -> bytes:
    records = []
    for group, symbol, english, korean, sector, flags, exchange, country in _WORLD:
        records.append(
            group.encode() + _pad(symbol, 10) + _pad(english, 39) + _pad(korean, 40) + _pad(sector, 4)
            + flags.encode() + _pad(exchange, 4) + _pad(country, 3)
        )  # fmt: skip
    return _lines(records)


EXTRA_MASTERS: dict[str, Callable[[], bytes]] = {
    "konex_code.mst": _konex,
    "elw_code.mst": _elw,
    "idxcode.mst": _idxcode,
    "fo_idx_code_mts.mst": _fo_idx,
    "fo_com_code.mst": _fo_com,
    "ffcode.mst": _ffcode,
    "frgn_code.mst": _frgn,
    "bond_code.mst": _bonds,
    "memcode.mst": _members,
}
"""Plain file name → its content (cp949). Each but ``memcode.mst`` is downloaded as ``<name>.zip``."""


def extra_master(name: str) -> bytes | None:
    """The content of master file ``name`` (without ``.zip``), or ``None`` when it is not one of these."""
    build = EXTRA_MASTERS.get(name)
    return build() if build is not None else None

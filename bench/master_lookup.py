"""The first resolve of a symbol from cached master files, at a real service's sizes: the time from the files'
bytes to the listing, in a fresh interpreter per sample (bytecode cached).

Two ways, run interleaved: every row parsed into the index (what the client did before, and what a name search
still needs) and the byte search (each file kept as bytes, only the lines that can hold the symbol parsed). The
masters are the emulator's layouts filled to a real service's sizes: 2,500 KOSPI and 1,700 KOSDAQ rows, 5,000
NASDAQ, 3,000 NYSE and 2,000 AMEX rows, Korean names in cp949.

Run: ``.venv/bin/python bench/master_lookup.py [--runs 9]``
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

from pykis.emulator.instruments import Instrument
from pykis.emulator.masters import domestic_master, overseas_master

# argv: the folder of master files, the mode, the symbol, then the files a resolve of that symbol reads.
PROBE = """
import sys, time
from pathlib import Path
from pykis.exchanges.masters import SymbolIndex, rows_of
folder, mode, symbol, names = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
contents = [(name, (folder / name).read_bytes()) for name in names]
start = time.perf_counter()
index = SymbolIndex()
for name, content in contents:
    if mode == "bytes":
        index.add_file(name, content)
    else:
        for row in rows_of(name, content):
            index.add(row)
row = index.lookup(symbol)
print(time.perf_counter() - start, row is not None)
"""

DOMESTIC = ("kospi_code.mst", "kosdaq_code.mst")
US = ("nasmst.cod", "nysmst.cod", "amsmst.cod")
# (what is looked up, symbol, files read): the resolve of a KRX code, a US ticker, and a one-letter ticker,
# whose bytes open many columns.
CASES = (("KRX code", "005930", DOMESTIC), ("US ticker", "NVDA", US), ("US one letter", "F", US))


def _hangul(rng: random.Random, size: int) -> str:
    return "".join(chr(rng.randint(0xAC00, 0xD7A3)) for _ in range(size))


def write_masters(folder: Path, seed: int = 7) -> None:
    """The five master files, at a real service's row counts, into ``folder``."""
    rng = random.Random(seed)
    words = ("HOLDINGS", "CORP", "INC", "TECHNOLOGIES", "GROUP", "BANCORP", "ENERGY", "THERAPEUTICS", "A", "F")
    instruments = []
    for index, code in enumerate(["005930", *(f"{code:06d}" for code in rng.sample(range(10, 999_999), 4199))]):
        market = "KOSPI" if index < 2500 else "KOSDAQ"
        name = _hangul(rng, rng.randint(2, 12))
        instruments.append(_listing(code, name, "", market, "KRW"))
    tickers = {"NVDA", "F"}
    while len(tickers) < 10_000:
        tickers.add("".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(rng.randint(1, 5))))
    for index, ticker in enumerate(sorted(tickers, key=lambda _: rng.random())):
        market = "NASDAQ" if index < 5000 else "NYSE" if index < 8000 else "AMEX"
        english = " ".join(rng.choice(words) for _ in range(3))
        instruments.append(_listing(ticker, _hangul(rng, rng.randint(2, 10)), english, market, "USD"))
    for name in DOMESTIC:
        (folder / name).write_bytes(domestic_master("KOSPI" if name.startswith("kospi") else "KOSDAQ", instruments))
    for name in US:
        (folder / name).write_bytes(overseas_master(name[:3], instruments))


def _listing(symbol: str, name: str, english: str, market: str, currency: str) -> Instrument:
    return Instrument(symbol, name, english, market, "stock", currency, 1, Decimal(1000), 10**7, None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        write_masters(folder)
        samples: dict[tuple[str, str], list[float]] = {}
        for _ in range(args.runs):
            for label, symbol, names in CASES:
                for mode in ("rows", "bytes"):
                    command = [sys.executable, "-c", PROBE, scratch, mode, symbol, *names]
                    seconds, found = subprocess.run(command, capture_output=True, text=True, check=True).stdout.split()
                    assert found == "True", (label, mode)
                    samples.setdefault((label, mode), []).append(float(seconds) * 1000)
    print(f"first resolve from cached masters, ms (median / min of {args.runs} fresh interpreters)")
    for label, symbol, names in CASES:
        rows, search = samples[(label, "rows")], samples[(label, "bytes")]
        print(
            f"  {label:<14} {symbol:<7} {len(names)} files: every row parsed {statistics.median(rows):6.2f} / "
            f"{min(rows):6.2f}   byte search {statistics.median(search):6.2f} / {min(search):6.2f}"
        )


if __name__ == "__main__":
    main()

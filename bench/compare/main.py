"""``make bench-compare``: pykis side by side with python-kis 2.1.6 and kis-trader 0.12.2.

The same frames and response bodies go to each library's own decoding path (see ``runner.py``), each in its own
interpreter (python-kis installs as ``pykis`` too): pykis from ``.venv``, the peers from ``.bench-venv``. Every
round runs one fresh process per library, in a rotating order, so machine noise falls on all alike; the table
shows medians over the rounds and the ratio peer ÷ pykis (above 1: pykis is faster or smaller).

Run: ``.venv/bin/python bench/compare/main.py [--rounds 5] [--peer-python .bench-venv/bin/python]``
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE.parent))

from streams import streams  # noqa: E402

from cold_start import DEV_ROW, Result, load, measure  # noqa: E402
from pykis import PyKis  # noqa: E402
from pykis.emulator import Emulator  # noqa: E402
from pykis.models.realtime import event_type  # noqa: E402
from pykis.protocol.request import ApiCall  # noqa: E402
from realtime_decode import H0STASP0, H0STCNT0, HDFSCNT0  # noqa: E402

PEERS = {"python-kis": "python-kis 2.1.6", "kis-trader": "kis-trader 0.12.2"}


def frame(tr_id: str, record: str) -> str:
    return f"0|{tr_id}|001|{record}"


def _widths(name: str, record: str) -> list[tuple[int, str]]:
    """One record as each width a library may accept, today's first: H0STCNT0 47 and 46 fields, H0STASP0 63 and
    59 (before 2026-09-14); HDFSCNT0 led by its realtime key (RSYM), the 26-field layout all three declare."""
    if name == "HDFSCNT0":
        return [(26, frame(name, "DNASAAPL^" + record))]
    fields = record.split("^")
    older = 46 if name == "H0STCNT0" else 59
    return [(len(fields), frame(name, record)), (older, frame(name, "^".join(fields[:older])))]


def frames() -> dict[str, list[tuple[int, str]]]:
    """Per TR, the frames to try in order: today's width, then the width before 2026-09-14."""
    records = {"H0STCNT0": H0STCNT0, "HDFSCNT0": HDFSCNT0, "H0STASP0": H0STASP0}
    found = {name: _widths(name, record) for name, record in records.items()}
    assert [width for width, _ in found["HDFSCNT0"]] == [26] and found["H0STASP0"][0][0] == 63
    return found


def stream_frames() -> dict[str, dict[int, list[str]]]:
    """Per TR and width, the stream of frames (``streams.py``) the decode and every-field rows cycle through."""
    found: dict[str, dict[int, list[str]]] = {}
    for name, records in streams(H0STCNT0, HDFSCNT0, H0STASP0).items():
        for record in records:
            for width, text in _widths(name, record):
                found.setdefault(name, {}).setdefault(width, []).append(text)
    return found


def rest_bodies() -> dict[str, Any]:
    """A quote and a 100-bar daily chart answer, as the emulator sends them (bytes and headers)."""
    os.environ.setdefault("PYKIS_CACHE_DIR", tempfile.mkdtemp(prefix="pykis-compare-"))
    quote = ApiCall(
        "GET",
        "/uapi/domestic-stock/v1/quotations/inquire-price",
        "FHKST01010100",
        {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"},
    )
    chart = ApiCall(
        "GET",
        "/uapi/domestic-stock/v1/quotations/inquire-daily-itemchartprice",
        "FHKST03010100",
        {
            "FID_COND_MRKT_DIV_CODE": "J",
            "FID_INPUT_ISCD": "005930",
            "FID_INPUT_DATE_1": "20200101",
            "FID_INPUT_DATE_2": "20991231",
            "FID_PERIOD_DIV_CODE": "D",
            "FID_ORG_ADJ_PRC": "0",
        },
    )
    with Emulator(realtime=False) as emu, PyKis(emu.real.auth, keep_token=False) as kis:
        quote_body = kis.request(quote).raw
        chart_envelope = kis.request(chart)
    dates = [row["stck_bsop_date"] for row in chart_envelope.output("output2")]
    assert len(dates) == 100, len(dates)
    return {
        "quote": {"body": base64.b64encode(quote_body).decode(), "headers": {"tr_cont": ""}},
        "chart": {
            "body": base64.b64encode(chart_envelope.raw).decode(),
            "headers": {"tr_cont": ""},
            "options": {"start": min(dates), "end": max(dates)},
        },
    }


def run(python: str, library: str, data_path: str) -> dict[str, Any]:
    try:
        completed = subprocess.run(
            [python, str(HERE / "runner.py"), library, data_path],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=tempfile.gettempdir(),  # never import a library from the repository by accident
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": ""},
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        tail = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"runner failed: {tail[:120]}"}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


ROWS: list[tuple[str, str, str]] = [
    ("import time", "import_ms", "ms"),
    ("RSS added by import", "import_rss_mib", "MiB"),
    ("H0STCNT0 decode / record", "decode/H0STCNT0", "µs"),
    ("HDFSCNT0 decode / record", "decode/HDFSCNT0", "µs"),
    ("H0STASP0 decode / record", "decode/H0STASP0", "µs"),
    ("H0STCNT0 every field read / record", "all/H0STCNT0", "µs"),
    ("H0STCNT0 every field read / field", "perfield/H0STCNT0", "µs"),
    ("HDFSCNT0 every field read / record", "all/HDFSCNT0", "µs"),
    ("HDFSCNT0 every field read / field", "perfield/HDFSCNT0", "µs"),
    ("H0STASP0 every field read / record", "all/H0STASP0", "µs"),
    ("H0STASP0 every field read / field", "perfield/H0STASP0", "µs"),
    ("H0STCNT0 every field at once / field", "perfieldonce/H0STCNT0", "µs"),
    ("HDFSCNT0 every field at once / field", "perfieldonce/HDFSCNT0", "µs"),
    ("H0STASP0 every field at once / field", "perfieldonce/H0STASP0", "µs"),
    ("bytes per retained H0STCNT0 event", "retained/H0STCNT0", "B"),
    ("REST quote decode", "rest/quote", "µs"),
    ("REST 100-bar daily chart decode", "rest/chart", "µs"),
]


PER_RECORD = ("decode/", "retained/", "all/", "once/", "perfield/", "perfieldonce/", "fields/")
"""Keys measured per TR and record width (``decode/H0STCNT0/47``)."""


def median(results: list[dict[str, Any]], key: str) -> float | None:
    if key.startswith(("perfield/", "perfieldonce/")):  # µs per field: the every-field time over the fields read
        kind, _, rest = key.partition("/")
        spent = median(results, ("all/" if kind == "perfield" else "once/") + rest)
        fields = median(results, "fields/" + rest)
        return spent / fields if spent is not None and fields else None
    values = [r[key] for r in results if isinstance(r.get(key), int | float)]
    return statistics.median(values) if values else None


def pick(results: list[dict[str, Any]], key: str, widths: list[int]) -> tuple[float | None, int | None]:
    """The median of ``key``: exact key, or the first width the library accepted."""
    if not key.startswith(PER_RECORD):
        return median(results, key), None
    for width in widths:
        value = median(results, f"{key}/{width}")
        if value is not None:
            return value, width
    return None, None


def run_rounds(
    rounds: int, pythons: dict[str, str], data_path: str
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, str]]:
    """Every library once a round, in a rotating order; its results, and why a library could not run."""
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in ["pykis", *PEERS]}
    unavailable: dict[str, str] = {}
    order = list(pythons)
    for round_ in range(rounds):
        rotated = order[round_ % len(order) :] + order[: round_ % len(order)]
        for library in rotated:
            outcome = run(pythons[library], library, data_path)
            if "error" in outcome:
                unavailable[library] = outcome["error"]
                continue
            results[library].append(outcome)
        print(f"round {round_ + 1}/{rounds} done", file=sys.stderr, flush=True)
    return results, unavailable


def table_row(
    results: dict[str, list[dict[str, Any]]], row: tuple[str, str, str], widths: dict[str, list[int]], notes: list[str]
) -> list[str]:
    """Print one row of the decode table (adding its notes); return the peers pykis is behind on it."""
    label, key, unit = row
    name = key.split("/")[1] if key.startswith(PER_RECORD) else ""
    ours_default, _ = pick(results["pykis"], key, widths.get(name, []))
    line = f"{label:36} {_fmt(ours_default, unit):>12}"
    behind: list[str] = []
    for peer, peer_label in PEERS.items():
        if not results[peer]:
            line += f" {'n/a':>20} {'':>7}"
            continue
        value, width = pick(results[peer], key, widths.get(name, []))
        if value is None:
            prefix = f"{name}/" if name else key
            reasons = {e for r in results[peer] for k, e in r.get("errors", {}).items() if k.startswith(prefix)}
            line += f" {'n/a':>20} {'':>7}"
            notes.append(f"{peer_label}: {label}: n/a — {'; '.join(sorted(reasons)) or 'not measured'}")
            continue
        mine = ours_default
        if width is not None:
            mine = median(results["pykis"], f"{key}/{width}")
            if width != widths[name][0]:
                notes.append(
                    f"{peer_label}: {label}: refuses today's {widths[name][0]}-field record; measured on the "
                    f"{width}-field one (pykis measured on the same frame for the ratio)"
                )
        ratio = value / mine if mine else None
        line += f" {_fmt(value, unit):>20} {_ratio(ratio):>7}"
        if ratio is not None and ratio < 1.0:
            behind.append(f"{label} vs {peer_label}")
    print(line)
    return behind


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--peer-python", default=str(ROOT / ".bench-venv" / "bin" / "python"))
    parser.add_argument("--cold-rounds", type=int, default=9, help="rounds of the cold first-quote rows")
    args = parser.parse_args(argv)
    load_before = load()

    frames_by_width = frames()
    data = {"frames": frames_by_width, "streams": stream_frames(), "rest": rest_bodies()}
    widths = {name: [width for width, _ in options] for name, options in frames_by_width.items()}
    handle, data_path = tempfile.mkstemp(suffix=".json", prefix="pykis-compare-")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        json.dump(data, file)
    peer_python = args.peer_python if Path(args.peer_python).exists() else None
    pythons = {"pykis": sys.executable}
    if peer_python is not None:
        pythons.update(dict.fromkeys(PEERS, peer_python))
    results, unavailable = run_rounds(args.rounds, pythons, data_path)
    if peer_python is None:
        unavailable.update(
            dict.fromkeys(PEERS, f"no interpreter at {args.peer_python} (make bench-compare creates it)")
        )
    os.unlink(data_path)

    print(f"pykis vs peers — medians of {args.rounds} interleaved rounds; ratio = peer ÷ pykis (> 1: pykis ahead)")
    print(f"{'':36} {'pykis':>12}" + "".join(f" {label:>20} {'ratio':>7}" for label in PEERS.values()))
    behind: list[str] = []
    notes: list[str] = []
    for row in ROWS:
        behind += table_row(results, row, widths, notes)
    cold, cold_failed = measure(args.cold_rounds, peer_python)
    behind += cold_rows(cold, cold_failed, args.cold_rounds)
    for peer, reason in unavailable.items():
        print(f"n/a {PEERS.get(peer, peer)}: {reason}")
    lines = [*notes, *field_goals(results, widths), *what_each_does(results, widths)]
    for line in [*lines, f"{load_before} at the start, {load()} at the end"]:
        print(f"note: {line}")
    if behind:
        print("pykis is NOT ahead on: " + "; ".join(behind))
    else:
        print("pykis is ahead of every peer on every measured row.")
    return 0


COLD_GOALS = {"python-kis": 0.5, "kis-trader": 0.25}
FLOORS = (
    ("http.client floor", "the same request, bare http.client"),
    ("asyncio floor", "the same request, bare asyncio streams"),
)
"""What no client can beat: the request written by hand, for each of the two ways of waiting."""
"""Issue 15's goal for the cold first quote: at most this fraction of the peer's time."""


def cold_rows(results: list[Result], failed: dict[str, str], rounds: int) -> list[str]:
    """Print the cold first-quote rows (pykis blocking and asyncio against each peer); return the rows pykis
    is behind on, and say whether each of issue 15's goals is met."""
    by_label = {result.label: result for result in results}
    behind: list[str] = []
    for measure_name, attribute in (("wall", "median_ms"), ("CPU", "cpu_ms")):
        for client in ("pykis blocking", "pykis asyncio"):
            ours = by_label.get(client)
            label = f"cold first quote, {client.removeprefix('pykis ')} ({measure_name})"
            mine = getattr(ours, attribute) if ours else None
            line = f"{label:36} {_fmt(mine, 'ms'):>12}"
            for peer_label in PEERS.values():
                theirs = by_label.get(peer_label)
                if mine is None or theirs is None:
                    line += f" {'n/a':>20} {'':>7}"
                    continue
                ratio = getattr(theirs, attribute) / mine
                line += f" {_fmt(getattr(theirs, attribute), 'ms'):>20} {_ratio(ratio):>7}"
                if ratio < 1.0:
                    behind.append(f"{label} vs {peer_label}")
            print(line)
    for row, label in ((DEV_ROW, "cold first quote, blocking, dev venv"), *FLOORS):
        other = by_label.get(row)
        if other is not None:
            print(f"{label:36} {_fmt(other.median_ms, 'ms'):>12}  (wall; CPU {other.cpu_ms:.0f} ms)")
    counts = ", ".join(f"{result.label} {result.modules}" for result in results)
    print(
        f"note: cold first quote — a fresh process per sample (token, masters and bytecode cached), {rounds} "
        "interleaved rounds against the emulator (plain http on loopback: no TLS; against the real service every "
        "library also loads ssl and its certificates); pykis as a user installs it (.bench-user-venv: its runtime "
        "dependencies only), the peers from .bench-venv; wall: end to end, interpreter start included; CPU: user + "
        f"system time of the process (less sensitive to a loaded machine); modules loaded: {counts}"
    )
    for label, reason in failed.items():
        print(f"note: cold first quote: {label}: n/a — {reason}")
    for client in ("pykis blocking", "pykis asyncio"):
        for peer, goal in COLD_GOALS.items():
            ours, theirs = by_label.get(client), by_label.get(PEERS[peer])
            if ours and theirs:
                wall, cpu = ours.median_ms / theirs.median_ms, ours.cpu_ms / theirs.cpu_ms
                verdict = "met" if wall <= goal else "NOT met"
                print(f"note: goal {client} ≤ {goal}× {PEERS[peer]}: {wall:.2f}× wall ({cpu:.2f}× CPU) — {verdict}")
    return behind


FIELD_GOAL = 0.5
"""Issue 15's goal for the every-field rows: pykis' cost per field at most this fraction of kis-trader's."""


def field_goals(results: dict[str, list[dict[str, Any]]], widths: dict[str, list[int]]) -> list[str]:
    """Whether pykis reads each TR's records in full for at most ``FIELD_GOAL`` of kis-trader's cost per field."""
    found = []
    for name, options in widths.items():
        theirs, width = pick(results["kis-trader"], f"perfield/{name}", options)
        verdicts = []
        for way, key in (("read one by one", "perfield"), ("at once (as_dict)", "perfieldonce")):
            ours = median(results["pykis"], f"{key}/{name}/{width}") if width is not None else None
            if theirs and ours:
                verdict = "met" if ours <= FIELD_GOAL * theirs else "NOT met"
                verdicts.append(f"{way} {ours / theirs:.2f}× ({ours:.2f} vs {theirs:.2f} µs) — {verdict}")
        if verdicts:
            found.append(f"goal {name} every field ≤ {FIELD_GOAL}× kis-trader's cost per field: " + "; ".join(verdicts))
            found.append(f"{name} per record, every field read one by one: {_per_record(results, name, options)}")
    return found


def _per_record(results: dict[str, list[dict[str, Any]]], name: str, options: list[int]) -> str:
    """Each library's every-field cost per whole record, with the fields it reads: the per-field goal divides
    by a count that differs between libraries (pykis types every column; kis-trader a headline set)."""
    found = []
    for library, label in (("pykis", "pykis"), *PEERS.items()):
        cost, width = pick(results[library], f"all/{name}", options)
        fields = median(results[library], f"fields/{name}/{width}") if width is not None else None
        if cost is not None and fields is not None:
            found.append(f"{label} {cost:.2f} µs for {fields:.0f} fields")
    return "; ".join(found) or "n/a"


def what_each_does(results: dict[str, list[dict[str, Any]]], widths: dict[str, list[int]]) -> list[str]:
    """What each library does per record in the decode and every-field rows, with its field counts."""

    def counts(library: str) -> str:
        found = []
        for name, options in widths.items():
            for width in options:
                fields = median(results[library], f"fields/{name}/{width}")
                if fields is not None:
                    found.append(f"{name} {fields:.0f}")
                    break
        return ", ".join(found) or "n/a"

    return [
        "realtime rows — each call decodes the next frame of a stream of 1,000 distinct records walked the way a "
        "liquid stock's feed moves (streams.py: trades at or a tick from the last, 4 a second; book updates changing "
        "3 of 20 levels, the ladder shifting a tick 1 update in 20), the same frames for every library, so that "
        "pykis' memos (price text → Decimal, (price, qty) → book level, day + time → datetime) hit only as often as "
        "a live feed lets them.",
        "decode rows — pykis: parse the frame and make one lazy event per record, then read two fields (price and "
        "volume; the ask levels of a book), each parsed from a partial split; python-kis: split the frame and "
        "convert every field it declares into attributes, eagerly (kis_object_init, which binds a live client, "
        "skipped); kis-trader: split the frame and build a frozen dataclass of its headline fields (Decimal/int) "
        "plus a dict of every column as text, eagerly.",
        "every-field rows — the same decode, then every public typed field of each event read once (each "
        "library's field names listed once per event type, outside the timing): pykis, the properties of its "
        "model (after two lazy reads the rest of the record decodes in one pass into instance attributes; the "
        "levels of a book count as one field each side, holding 10 levels built as frozen (Decimal price, int qty) "
        f"structs; its fields read {columns_typed()} — kis-trader's H0STASP0 fields read 11 columns, the top of "
        "the book); python-kis, its instance attributes; kis-trader, its dataclass fields (times stay text there; "
        "pykis and "
        "python-kis make tz-aware datetimes). The at-once rows: pykis' as_dict() (one pass, no lazy reads first); "
        "the peers have no faster way to every field than their attributes, so their every-field reads stand "
        "there. Fields read per "
        f"record — pykis: {counts('pykis')}; python-kis: {counts('python-kis')}; kis-trader: {counts('kis-trader')}.",
    ]


def columns_typed() -> str:
    """How many of each TR's wire columns pykis' typed fields read (a field may read several: a book side, a
    price and its sign)."""
    found = []
    for name in ("H0STCNT0", "HDFSCNT0", "H0STASP0"):
        kind = event_type(name)
        columns = set(kind._resolve().positions)
        read = {wire for field in kind._fields for names in field.columns for wire in names.upper().split("|")}
        found.append(f"{name} {len(columns & read)} of {len(columns)} columns")
    return ", ".join(found)


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit in ("µs", "ms"):
        return f"{value:,.2f} {unit}" if value < 100 else f"{value:,.0f} {unit}"
    if unit == "MiB":
        return f"{value:,.1f} {unit}"
    return f"{value:,.0f} {unit}"


def _ratio(ratio: float | None) -> str:
    return "" if ratio is None else f"{ratio:.1f}×"


if __name__ == "__main__":
    raise SystemExit(main())

"""Time to the first quote in a new process: the short script or cron job (start, read a quote, exit).

Each sample is a fresh interpreter (bytecode cached, token cached, masters cached) against the emulator on
loopback, measured end to end from outside (interpreter start included): pykis blocking and asyncio, a bare
``http.client`` + ``json`` script sending the same request (the floor), and — from ``bench/compare`` — python-kis
2.1.6 and kis-trader 0.12.2 in their own interpreter. Rows run interleaved, in a rotating order, so drift on a
shared machine falls on all alike; medians of the rounds, with the number of modules each process loaded (a
count that does not depend on the load). The caches sit in a scratch ``XDG_CACHE_HOME``, as a user's would in
``~/.cache`` (``PYKIS_CACHE_DIR`` is not set, so the per-user cache directory is looked up as usual).

pykis runs as a user installs it: from ``.bench-user-venv`` (``make bench``/``bench-compare`` create it: pykis and
its runtime dependencies only, as ``pip install pykis-client`` makes), and again from the dev venv, whose test
tools bring ``typing_extensions`` (msgspec imports it when present; ~5 ms with ``inspect``). The peers run from
``.bench-venv``, where each has what it needs (python-kis's undeclared ``typing_extensions`` included).

Run: ``.venv/bin/python bench/cold_start.py [--runs 9]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from pykis.emulator import Emulator

# Each script takes: the pykis secret file, its token folder (the floor: the token file), the REST URL, the
# peers' secret file; it prints the number of modules it loaded last.
BLOCKING = """
import sys
from pykis import PyKis
with PyKis(sys.argv[1], keep_token=sys.argv[2]) as kis:
    kis.stock("005930").quote()
print(len(sys.modules))
"""

ASYNCIO = """
import asyncio, sys
from pykis import AsyncPyKis
async def main():
    async with AsyncPyKis(sys.argv[1], keep_token=sys.argv[2]) as kis:
        await (await kis.stock("005930")).quote()
asyncio.run(main())
print(len(sys.modules))
"""

BARE = """
import http.client, json, sys
auth = json.load(open(sys.argv[1]))
token = json.load(open(sys.argv[2]))
connection = http.client.HTTPConnection(sys.argv[3].split("//")[1])
path = "/uapi/domestic-stock/v1/quotations/inquire-price?FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=005930"
connection.request("GET", path, headers={"authorization": "Bearer " + token["access_token"],
    "appkey": auth["appkey"], "appsecret": auth["secretkey"], "tr_id": "FHKST01010100", "custtype": "P"})
json.loads(connection.getresponse().read())
print(len(sys.modules))
"""

# The asyncio floor: the same request over asyncio's streams, read to the end (no HTTP library in asyncio).
ASYNCIO_BARE = """
import asyncio, json, sys
auth = json.load(open(sys.argv[1]))
token = json.load(open(sys.argv[2]))
host, port = sys.argv[3].split("//")[1].split(":")
async def main():
    reader, writer = await asyncio.open_connection(host, int(port))
    path = "/uapi/domestic-stock/v1/quotations/inquire-price?FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=005930"
    writer.write((f"GET {path} HTTP/1.1\\r\\nhost: {host}\\r\\nconnection: close\\r\\n"
        f"authorization: Bearer {token['access_token']}\\r\\nappkey: {auth['appkey']}\\r\\n"
        f"appsecret: {auth['secretkey']}\\r\\ntr_id: FHKST01010100\\r\\ncusttype: P\\r\\n\\r\\n").encode())
    answer = await reader.read()
    writer.close()
    json.loads(answer.split(b"\\r\\n\\r\\n", 1)[1])
asyncio.run(main())
print(len(sys.modules))
"""

# The peers point at the emulator by their own domain constants (as tests/peers does for python-kis) and keep
# their token in the given folder.
PYTHON_KIS = """
import sys
import pykis.__env__, pykis.kis
pykis.__env__.REAL_DOMAIN = pykis.kis.REAL_DOMAIN = sys.argv[3]
from pykis import PyKis
PyKis(sys.argv[4], keep_token=sys.argv[2]).stock("005930").quote()
print(len(sys.modules))
"""

KIS_TRADER = """
import json, sys
import kis_trader._internal._endpoints as endpoints
endpoints._BASE_URL_BY_ENVIRONMENT["real"] = sys.argv[3]
from kis_trader import KISClient
app = json.load(open(sys.argv[4]))
kis = KISClient(app_key=app["appkey"], app_secret=app["secretkey"], account=app["account"], environment="real",
                token_cache_dir=sys.argv[2])
kis.domestic.stock("005930").quote()
print(len(sys.modules))
"""


@dataclass(frozen=True)
class Row:
    """One measured row: the interpreter, the script, and where its token lives."""

    label: str
    python: str
    script: str
    tokens: str


@dataclass(frozen=True)
class Result:
    label: str
    median_ms: float
    cpu_ms: float
    modules: int


def run_once(row: Row, args: list[str], env: dict[str, str], cwd: str) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system: what the process itself spent, less sensitive to other
    processes on a loaded machine) and the number of modules loaded."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [row.python, "-c", row.script, args[0], row.tokens, *args[1:]],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=cwd,  # never import a library from the repository by accident
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"{row.label}: {tail[:200]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return elapsed, cpu, int(done.stdout.strip().splitlines()[-1])


ROOT = Path(__file__).resolve().parent.parent
USER_VENV_PYTHON = ROOT / ".bench-user-venv" / "bin" / "python"
DEV_ROW = "pykis blocking, dev venv"


def user_python() -> str:
    """The interpreter of pykis as a user installs it, or this one when that venv has not been made."""
    return str(USER_VENV_PYTHON) if USER_VENV_PYTHON.exists() else sys.executable


def measure(runs: int, peer_python: str | None) -> tuple[list[Result], dict[str, str]]:
    """Medians of ``runs`` interleaved rounds; a peer that cannot run is reported, not measured."""
    failed: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as scratch, Emulator(secrets_dir=scratch, token_issue_interval=0.0) as emu:
        env = {
            name: value
            for name, value in os.environ.items()
            if name not in ("PYTHONDONTWRITEBYTECODE", "PYKIS_CACHE_DIR")
        }
        env.update(XDG_CACHE_HOME=str(Path(scratch) / "cache"), PYTHONPATH="")
        app = emu.real.app
        peer_secret = Path(scratch) / "peer-secret.json"
        record = {"id": app.hts_id, "account": app.account, "appkey": app.appkey, "secretkey": app.appsecret}
        peer_secret.write_text(json.dumps({**record, "virtual": False}))
        token_file = Path(scratch) / "bare-token.json"
        grant = {"grant_type": "client_credentials", "appkey": app.appkey, "appsecret": app.appsecret}
        token_file.write_text(json.dumps(emu.gateway.issue_token("real", grant)))
        pykis = user_python()
        rows = [
            Row("pykis blocking", pykis, BLOCKING, f"{scratch}/tokens"),
            Row("pykis asyncio", pykis, ASYNCIO, f"{scratch}/tokens"),
            Row("http.client floor", sys.executable, BARE, str(token_file)),
            Row("asyncio floor", sys.executable, ASYNCIO_BARE, str(token_file)),
        ]
        if pykis != sys.executable:
            rows.append(Row(DEV_ROW, sys.executable, BLOCKING, f"{scratch}/tokens"))
        if peer_python:
            rows += [
                Row("python-kis 2.1.6", peer_python, PYTHON_KIS, f"{scratch}/python-kis-tokens"),
                Row("kis-trader 0.12.2", peer_python, KIS_TRADER, f"{scratch}/kis-trader-tokens"),
            ]
        args = [str(emu.real.secret_file), emu.real.rest_url, str(peer_secret)]
        live = []
        for row in rows:  # caches the token, the masters and the bytecode
            try:
                run_once(row, args, env, scratch)
                live.append(row)
            except RuntimeError as exc:
                failed[row.label] = str(exc)
        samples: dict[str, list[tuple[float, float, int]]] = {row.label: [] for row in live}
        for round_ in range(runs):
            shift = round_ % len(live)
            for row in live[shift:] + live[:shift]:
                samples[row.label].append(run_once(row, args, env, scratch))
    results = [
        Result(
            label,
            statistics.median(wall for wall, _, _ in got) * 1000,
            statistics.median(cpu for _, cpu, _ in got) * 1000,
            got[-1][2],
        )
        for label, got in samples.items()
    ]
    return results, failed


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    before = load()
    results, _ = measure(args.runs, None)
    floor = next(r for r in results if r.label == "http.client floor")
    print(f"first quote in a new process (median of {args.runs} interleaved rounds, interpreter start included)")
    print(f"  pykis from {user_python()}")
    for r in results:
        print(
            f"  {r.label:26} {r.median_ms:7.0f} ms wall ({r.median_ms / floor.median_ms:4.2f}x the floor)"
            f"  {r.cpu_ms:5.0f} ms CPU ({r.cpu_ms / floor.cpu_ms:4.2f}x)  {r.modules:4d} modules"
        )
    print(f"  ({before} before, {load()} after)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

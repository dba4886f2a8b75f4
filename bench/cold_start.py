"""Time to the first quote in a new process: the short script or cron job (start, read a quote, exit).

Each sample is a fresh interpreter (bytecode cached, token cached) against the emulator on loopback, measured
end to end from outside (interpreter start included), blocking and asyncio; medians of N interleaved rounds,
with the number of modules the process loaded. A bare ``http.client`` + ``json`` script sending the same
request is the floor.

Run: ``.venv/bin/python bench/cold_start.py [--runs 9]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pykis.emulator import Emulator

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
token = json.load(open(sys.argv[3]))
host = auth["rest_url"].split("//")[1]
connection = http.client.HTTPConnection(host)
path = "/uapi/domestic-stock/v1/quotations/inquire-price?FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=005930"
connection.request("GET", path, headers={"authorization": "Bearer " + token["access_token"],
    "appkey": auth["appkey"], "appsecret": auth["secretkey"], "tr_id": "FHKST01010100", "custtype": "P"})
json.loads(connection.getresponse().read())
print(len(sys.modules))
"""


# Bytecode cached, as a user's installed package has it (a shell with PYTHONDONTWRITEBYTECODE would measure
# compiling every module instead).
_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def run_once(script: str, *args: str) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, check=True, env=_ENV)
    return time.perf_counter() - start, int(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch, Emulator(secrets_dir=scratch, token_issue_interval=0.0) as emu:
        secret, tokens = str(emu.real.secret_file), str(Path(scratch) / "tokens")
        run_once(BLOCKING, secret, tokens)  # caches the token, the masters and the bytecode
        run_once(ASYNCIO, secret, tokens)
        token_file = Path(scratch) / "bare-token.json"
        issued = emu.gateway.issue_token(
            "real",
            {"grant_type": "client_credentials", "appkey": emu.real.app.appkey, "appsecret": emu.real.app.appsecret},
        )
        token_file.write_text(__import__("json").dumps(issued))
        rows: dict[str, list[tuple[float, int]]] = {"blocking": [], "asyncio": [], "http.client floor": []}
        for _ in range(args.runs):  # interleaved, so drift on a shared machine hits every row alike
            rows["blocking"].append(run_once(BLOCKING, secret, tokens))
            rows["asyncio"].append(run_once(ASYNCIO, secret, tokens))
            rows["http.client floor"].append(run_once(BARE, secret, tokens, str(token_file)))
    floor = statistics.median(seconds for seconds, _ in rows["http.client floor"])
    print(f"first quote in a new process (median of {args.runs}, interpreter start included)")
    for name, samples in rows.items():
        median = statistics.median(seconds for seconds, _ in samples)
        modules = samples[-1][1]
        print(f"  {name:18} {median * 1000:7.0f} ms  {modules:4d} modules  {median / floor:5.2f}x the floor")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

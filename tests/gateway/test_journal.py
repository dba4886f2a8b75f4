"""The gateway's send-once journal on its own: no NATS, no emulator."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from pykis.gateway.journal import SendOnce

AT = datetime(2026, 10, 5, 1, 0, tzinfo=UTC)


async def test_each_line_is_stamped_by_the_clock_it_was_given_and_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "gateway-orders.jsonl"
    journal = SendOnce(path, now=lambda: AT)
    sent: list[str] = []

    async def send() -> bytes:
        sent.append("order")
        return b'{"ODNO": "0000117060"}'

    assert await journal.run("r-1", send) == b'{"ODNO": "0000117060"}'
    assert await journal.run("r-1", send) == b'{"ODNO": "0000117060"}'  # a repeat is answered, not sent
    assert sent == ["order"]
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(line["state"], line["at"]) for line in lines] == [
        ("sending", "2026-10-05T01:00:00+00:00"),
        ("answered", "2026-10-05T01:00:00+00:00"),
    ]
    restarted = SendOnce(path, now=lambda: AT)
    assert await restarted.run("r-1", send) == b'{"ODNO": "0000117060"}'
    assert sent == ["order"]

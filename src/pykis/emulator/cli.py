"""``pykis emulator`` / ``python -m pykis.emulator``: run the emulator in the foreground.

It prints the URLs and ready-to-use demo credentials of both environments and writes ``secret.json``
and ``virtual_secret.json`` (into ``--secrets-dir``, the current directory by default) so that
``PyKis("secret.json", "virtual_secret.json")`` connects to it unchanged. When a sandbox that is still
running wrote those, a second one writes ``secret-2.json`` and ``virtual_secret-2.json`` and says so.
``--json`` prints one JSON line ``{"real": {...}, "virtual": {...}}`` on stdout once every listener is
ready, and nothing else there.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from pykis.emulator.server import CLOCK_MODES, EmulatorConfig, EmulatorServer

__all__ = ["build_parser", "main"]

_DEFAULTS = EmulatorConfig()


def _start_time(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date-time: {text!r}") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError("give a time zone, e.g. 2025-01-06T09:00:00+09:00")
    return value.astimezone(UTC)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (every option of :class:`~pykis.emulator.EmulatorConfig`)."""
    parser = argparse.ArgumentParser(
        prog="pykis emulator",
        description=(
            "Run a local KIS-compatible server (real and virtual environments, REST and WebSocket) "
            "with a simulated market. Listens on loopback; port 0 picks a free port."
        ),
    )
    net = parser.add_argument_group("listeners")
    net.add_argument("--host", default=_DEFAULTS.host, help="address to bind (default: %(default)s, loopback)")
    for env in ("real", "virtual"):
        for kind in ("rest", "ws"):
            net.add_argument(
                f"--{env}-{kind}-port",
                type=int,
                default=0,
                metavar="PORT",
                help=f"{env} {'REST' if kind == 'rest' else 'WebSocket'} port (default: 0 = ephemeral)",
            )
    net.add_argument(
        "--admin",
        action="store_true",
        help="enable the fault-injection admin endpoint: on 127.0.0.1 whatever --host says, each call with the "
        "token printed at start (off by default)",
    )
    net.add_argument("--admin-port", type=int, default=0, metavar="PORT", help="admin port (default: 0 = ephemeral)")

    sim = parser.add_argument_group("simulation")
    sim.add_argument(
        "--clock",
        choices=CLOCK_MODES,
        default=_DEFAULTS.clock,
        help="always-open: real time, every market open (default); real: real sessions and holidays; "
        "accelerated: from --start at --speed; frozen: stands at --start",
    )
    sim.add_argument("--start", type=_start_time, metavar="ISO", help="start instant for accelerated/frozen clocks")
    sim.add_argument(
        "--speed", type=float, default=_DEFAULTS.speed, help="simulated seconds per real second (default: %(default)s)"
    )
    sim.add_argument(
        "--seed", type=int, default=_DEFAULTS.seed, help="market and demo-credential seed (default: %(default)s)"
    )
    sim.add_argument("--state", type=Path, metavar="FILE", help="persist accounts and orders in FILE")

    gw = parser.add_argument_group("gateway rules")
    gw.add_argument(
        "--real-rate", type=int, default=_DEFAULTS.real_rate, help="real requests/s per app key (default: %(default)s)"
    )
    gw.add_argument(
        "--virtual-rate",
        type=int,
        default=_DEFAULTS.virtual_rate,
        help="virtual requests/s per app key (default: %(default)s)",
    )
    gw.add_argument(
        "--token-lifetime",
        type=float,
        default=_DEFAULTS.token_lifetime,
        metavar="SECONDS",
        help="access token lifetime (default: %(default)s)",
    )
    gw.add_argument(
        "--token-reuse",
        type=float,
        default=_DEFAULTS.token_reuse,
        metavar="SECONDS",
        help="window in which tokenP returns the same token (default: %(default)s)",
    )
    gw.add_argument(
        "--token-issue-interval",
        type=float,
        default=_DEFAULTS.token_issue_interval,
        metavar="SECONDS",
        help="minimum interval between tokenP calls per key, else EGW00133 (default: %(default)s)",
    )
    gw.add_argument(
        "--approval-lifetime",
        type=float,
        default=_DEFAULTS.approval_lifetime,
        metavar="SECONDS",
        help="WebSocket approval key lifetime (default: %(default)s)",
    )
    gw.add_argument(
        "--heartbeat",
        type=float,
        default=_DEFAULTS.heartbeat_interval,
        metavar="SECONDS",
        help="PINGPONG interval (default: %(default)s)",
    )
    gw.add_argument(
        "--max-subscriptions",
        type=int,
        default=_DEFAULTS.max_subscriptions,
        help="realtime registrations per app key before MAX SUBSCRIBE OVER (default: %(default)s)",
    )

    live = parser.add_argument_group("realtime")
    live.add_argument(
        "--no-realtime", action="store_true", help="publish no realtime prices, order books or execution notices"
    )
    live.add_argument(
        "--realtime-rate",
        type=float,
        default=_DEFAULTS.realtime_rate,
        metavar="N",
        help="records per second per subscribed (TR, key) (default: %(default)s)",
    )
    live.add_argument(
        "--legacy-widths", action="store_true", help="send the realtime layouts before 2026-09-14 (46/59 fields)"
    )

    out = parser.add_argument_group("output")
    out.add_argument(
        "--secrets-dir",
        type=Path,
        default=Path(),
        metavar="DIR",
        help="where secret.json and virtual_secret.json are written (default: current directory; "
        "secret-2.json… when a running sandbox owns those)",
    )
    out.add_argument("--json", action="store_true", help="print one JSON line with URLs and credentials when ready")
    out.add_argument(
        "--duration", type=float, metavar="SECONDS", help="stop after SECONDS (default: run until interrupted)"
    )
    return parser


def _config(args: argparse.Namespace) -> EmulatorConfig:
    return EmulatorConfig(
        host=args.host,
        real_rest_port=args.real_rest_port,
        real_ws_port=args.real_ws_port,
        virtual_rest_port=args.virtual_rest_port,
        virtual_ws_port=args.virtual_ws_port,
        admin=args.admin,
        admin_port=args.admin_port,
        clock=args.clock,
        realtime=not args.no_realtime,
        realtime_rate=args.realtime_rate,
        legacy_widths=args.legacy_widths,
        start=args.start,
        speed=args.speed,
        seed=args.seed,
        real_rate=args.real_rate,
        virtual_rate=args.virtual_rate,
        token_lifetime=args.token_lifetime,
        token_reuse=args.token_reuse,
        token_issue_interval=args.token_issue_interval,
        approval_lifetime=args.approval_lifetime,
        heartbeat_interval=args.heartbeat,
        max_subscriptions=args.max_subscriptions,
        state_file=args.state,
        secrets_dir=args.secrets_dir,
    )


def _banner(server: EmulatorServer) -> str:
    lines = ["pykis emulator is running (Ctrl+C to stop)", ""]
    for info in server.environments.values():
        lines += [
            f"[{info.name}]",
            f"  REST       {info.rest_url}",
            f"  WebSocket  {info.ws_url}  (also {info.ws_url}/tryitout)",
            f"  HTS ID     {info.app.hts_id}",
            f"  account    {info.app.account}",
            f"  appkey     {info.app.appkey}",
            f"  secretkey  {info.app.appsecret}",
            f"  secret     {info.secret_file}",
            "",
        ]
    if server.admin_url:
        lines.append(f"admin (fault injection): {server.admin_url}/faults")
        lines.append(f"  every call needs the header  Authorization: Bearer {server.admin_token}")
    if server.secret_note:
        lines.append(f"note: {server.secret_note}")
    real = server.environments["real"].secret_file
    virtual = server.environments["virtual"].secret_file
    lines.append(f'Python: PyKis("{real}", "{virtual}")')
    return "\n".join(lines)


async def _run(config: EmulatorConfig, *, as_json: bool, duration: float | None) -> None:
    server = EmulatorServer(config)
    await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    try:
        if as_json:
            sys.stdout.write(json.dumps(server.info(), ensure_ascii=False) + "\n")
            sys.stdout.flush()
            if server.admin_url:
                print(f"admin: {server.admin_url}/faults token {server.admin_token}", file=sys.stderr, flush=True)
            if server.secret_note:
                print(f"note: {server.secret_note}", file=sys.stderr, flush=True)
        else:
            print(_banner(server), flush=True)
        if duration is None:
            await stop.wait()
        else:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), duration)
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> int:
    """Run the emulator until interrupted; returns the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = _config(args)
    except ValueError as exc:
        parser.error(str(exc))
    try:
        asyncio.run(_run(config, as_json=args.json, duration=args.duration))
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        print(f"pykis emulator: cannot start: {exc}", file=sys.stderr)
        return 1
    return 0

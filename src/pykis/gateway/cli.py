"""``pykis gateway``: run a gateway; ``pykis gateway status``: print a running gateway's report."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pykis.auth import KisAuth
from pykis.client import default_cache_dir
from pykis.errors import KisError
from pykis.gateway.link import GatewayLink
from pykis.gateway.server import KisGateway
from pykis.gateway.wire import DEFAULT_PREFIX, NatsOptions

__all__ = ["main"]

log = logging.getLogger("pykis.gateway")


def _nats_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("NATS (handed to the NATS client as given)")
    group.add_argument("--nats", default="nats://127.0.0.1:4222", metavar="URL", help="server(s), comma-separated")
    group.add_argument("--user")
    group.add_argument("--password", help="or $PYKIS_NATS_PASSWORD")
    group.add_argument("--token", help="or $PYKIS_NATS_TOKEN")
    group.add_argument("--creds", metavar="FILE", help="a NATS .creds file (JWT + nkey)")
    group.add_argument("--nkey", metavar="FILE", help="an nkey seed file")
    group.add_argument("--tls-ca", metavar="FILE")
    group.add_argument("--tls-cert", metavar="FILE")
    group.add_argument("--tls-key", metavar="FILE")
    group.add_argument("--prefix", default=DEFAULT_PREFIX, help="subject prefix (default: %(default)s)")


def _options(args: argparse.Namespace) -> NatsOptions:
    return NatsOptions(
        servers=args.nats,
        user=args.user,
        password=args.password or os.environ.get("PYKIS_NATS_PASSWORD"),
        token=args.token or os.environ.get("PYKIS_NATS_TOKEN"),
        credentials=args.creds,
        nkeys_seed=args.nkey,
        tls_ca=args.tls_ca,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        prefix=args.prefix,
    )


def build_parser() -> argparse.ArgumentParser:
    """``pykis gateway [status] …``."""
    parser = argparse.ArgumentParser(
        prog="pykis gateway",
        description="Hold the app keys and serve them to pykis clients over NATS (PyKis(gateway='nats://…')). "
        "'pykis gateway status' prints a running gateway's budgets, subscriptions and consumers.",
    )
    _nats_arguments(parser)
    parser.add_argument("--secret", action="append", default=[], metavar="FILE", help="a secret file (repeatable)")
    parser.add_argument("--virtual-secret", action="append", default=[], metavar="FILE", help="a virtual one")
    parser.add_argument("--state-dir", type=Path, metavar="DIR", help="keeps the send-once journal (default: cache)")
    parser.add_argument(
        "--lease", type=float, default=90.0, metavar="S", help="drop realtime shares not renewed for S seconds"
    )
    parser.add_argument("--report", type=float, default=60.0, metavar="S", help="log the status every S seconds")
    parser.add_argument("--json", action="store_true", help="status: print JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``pykis gateway`` with ``argv``; returns the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    status = bool(args_list) and args_list[0] == "status"
    args = build_parser().parse_args(args_list[1:] if status else args_list)
    try:
        if status:
            return _status(args)
        return asyncio.run(_serve(args))
    except KisError as exc:
        print(f"pykis gateway: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


def _status(args: argparse.Namespace) -> int:
    link = GatewayLink(_options(args))
    try:
        report = link.status()
    finally:
        link.close()
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print(format_status(report))
    return 0


def format_status(report: dict[str, Any]) -> str:
    """The status report as lines of text."""
    lines = []
    subscriptions = report.get("subscriptions", {})
    for key in report.get("keys", []):
        lines.append(
            f"key {key['key']}: {key['rate_limit']}/s, {key['served']} served, {key['failed']} failed, "
            f"{key['in_flight']} in flight, {subscriptions.get(key['key'], 0)} realtime registrations"
        )
    for tr, count in report.get("consumers", {}).items():
        lines.append(f"realtime {tr}: {count} consumer(s)")
    lines.append(f"realtime records published: {report.get('published', 0)}")
    lines.append(f"up {report.get('uptime_seconds', 0)} s")
    return "\n".join(lines)


async def _serve(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    auths = [KisAuth.load(path) for path in args.secret + args.virtual_secret]
    if not auths:
        print("pykis gateway: give at least one --secret FILE", file=sys.stderr)
        return 2
    state = args.state_dir or default_cache_dir() / "gateway"
    gateway = KisGateway(auths, _options(args), state_dir=state, lease=args.lease)
    await gateway.start()
    print(f"pykis gateway: serving {', '.join(gateway.labels)} on {args.nats}", flush=True)
    try:
        while True:
            await asyncio.sleep(args.report)
            for line in format_status(gateway.status()).splitlines():
                log.info("%s", line)
    finally:
        await gateway.close()

"""``PyKis`` (blocking) and ``AsyncPyKis`` (asyncio): the entry points of the library.

Both take the same arguments and share one core (:mod:`pykis._client_core`): configuration, and every operation
written once as a flow. Each class here is a thin driver: it performs the steps a flow asks for (send, throttle,
token, sleep, disk, download, side-by-side flows), blocking or awaited.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Generator, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

from pykis._client_config import _WARNED, default_cache_dir
from pykis._client_core import FetchMaster, FlowDrive, Gather, Offload, PageCursor, Step, _ClientCore, _TwinCore
from pykis.protocol.flow import GetToken, RateRefused, Relay, Send, Sleep, Throttle

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Callable, Iterable
    from datetime import date

    from pykis.auth import KisAccountNumber
    from pykis.drivers.transport import TransportOptions
    from pykis.drivers.transport_asyncio import AsyncTransport
    from pykis.drivers.transport_blocking import SyncTransport
    from pykis.drivers.websocket_asyncio import AsyncKisWebsocketClient  # noqa: F401 — a base's type argument
    from pykis.drivers.websocket_blocking import KisWebsocketClient  # noqa: F401 — a base's type argument
    from pykis.exchanges.masters import MasterRow
    from pykis.facade import AsyncKisApi, KisApi
    from pykis.models.quote import KisQuote
    from pykis.protocol.env import Environment
    from pykis.protocol.envelope import Envelope
    from pykis.protocol.http import HttpResponse
    from pykis.protocol.request import ApiCall
    from pykis.protocol.token import AccessToken
    from pykis.scopes.account import AsyncKisAccount, KisAccount
    from pykis.scopes.stock import AsyncKisStock, KisStock, StockBase, Venue


class _Deferred:
    """``asyncio``, imported on first use: only :class:`AsyncPyKis` needs it, and it costs a blocking
    user ~35 ms of import time."""

    def __getattr__(self, name: str) -> Any:
        import asyncio  # noqa: PLC0415 — the deferral itself

        return getattr(asyncio, name)


if not TYPE_CHECKING:
    asyncio = _Deferred()

__all__ = ["_WARNED", "AsyncPyKis", "PyKis", "_ClientCore", "default_cache_dir"]

T = TypeVar("T")


class PyKis(_TwinCore["KisWebsocketClient"]):
    """The blocking client.

    >>> kis = PyKis("secret.json", keep_token=True)                       # doctest: +SKIP
    >>> kis = PyKis("secret.json", "virtual_secret.json", keep_token=True)  # doctest: +SKIP

    Pass ``hosts=KisHosts(rest, websocket)`` (or set ``rest_url``/``ws_url`` in the secret file) to
    talk to a proxy or to the local emulator; pass ``gateway="nats://…"`` (and no secret) to go through a
    ``pykis gateway`` (:mod:`pykis.gateway`). Use it as a context manager, or call :meth:`close`.
    """

    _blocking = True

    def _connect(self, options: TransportOptions) -> None:
        from pykis.drivers.transport_blocking import SyncTransport  # noqa: PLC0415 — each client loads only its own stack

        self._transports: dict[Environment, SyncTransport] = {
            env: SyncTransport(host, options) for env, host in self._rest_hosts()
        }
        self._tokens = self._token_managers({env: transport.send for env, transport in self._transports.items()})

    def run(self, flow: Generator[Step, Any, T]) -> T:
        """Drive ``flow`` to its end, performing each action it yields; returns what the flow returns."""
        drive = FlowDrive(flow)
        while (step := drive.next()) is not None:
            try:
                drive.result = self._perform(step)
            except Exception as exc:  # noqa: BLE001 — handed to the flow, which re-raises what it cannot handle
                drive.error = exc
        return drive.value

    def _perform(self, step: Step) -> Any:
        expanded = self._expand(step)
        if expanded is not None:
            return self.run(expanded)
        if isinstance(step, Send):
            try:
                response: HttpResponse = self._transports[step.environment].send(step.request)
            finally:
                if step.permit is not None:
                    self._limiters[step.environment].complete(step.permit)
            self.clock.observe(response.headers.get("date"))
            return response
        if isinstance(step, Throttle):
            return self._limiters[step.environment].acquire_blocking()
        if isinstance(step, GetToken):
            return self._tokens[step.environment].get(step.stale)
        if isinstance(step, Relay):
            assert self._gateway is not None
            return self._gateway.request(step.call)
        return self._perform_local(step)

    def _perform_local(self, step: Step) -> Any:
        if isinstance(step, Sleep):
            time.sleep(step.seconds)
            return None
        if isinstance(step, RateRefused):
            self._limiters[step.environment].refused()
            return None
        if isinstance(step, Offload):
            return step.function(*step.args)
        if isinstance(step, FetchMaster):
            from pykis.drivers.masters_fetch import fetch_master  # noqa: PLC0415 — only when a master is downloaded

            return fetch_master(step, self._timeout, self._verify)
        if isinstance(step, Gather):
            if len(step.flows) <= 1:
                return [self.run(flow) for flow in step.flows]
            from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415 — cold start: 6 modules

            with ThreadPoolExecutor(min(8, len(step.flows)), thread_name_prefix="pykis-gather") as pool:
                return list(pool.map(self.run, step.flows))
        raise TypeError(f"unknown action {step!r}")

    def request(self, call: ApiCall) -> Envelope:
        """Perform one API call and return its envelope; raises a :class:`~pykis.errors.KisError`."""
        return self.run(self.request_flow(call))

    def paginate(self, call: ApiCall, *, max_pages: int = 100) -> Iterator[Envelope]:
        """Every page of a continued inquiry (``tr_cont`` + ``CTX_AREA_*``), at most ``max_pages``."""
        pages = PageCursor(call, max_pages)
        for page in pages:
            pages.seen(envelope := self.request(page))
            yield envelope

    def token(self, environment: Environment | None = None) -> AccessToken:
        """The access token of ``environment`` (default: the trading one), issuing it if needed."""
        return self._token_manager(environment).current()

    def revoke(self) -> None:
        """Revoke every access token this client holds (``/oauth2/revokeP``)."""
        for tokens in self._revocable():
            tokens.revoke()

    def approval_key(self, environment: Environment, *, renew: bool = False) -> str:
        """The WebSocket approval key of ``environment`` (``/oauth2/Approval``), cached until ``renew``."""
        return self.run(self._approval_flow(environment, renew))

    @property
    def api(self) -> KisApi:
        """Every REST API and realtime TR of the KIS catalog, typed and generated (:mod:`pykis.api`):
        ``kis.api.domestic_stock.inquire_price(FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD="005930")``."""
        from pykis.facade import KisApi  # noqa: PLC0415 — the generated catalog loads on first use

        return self._once("_api", KisApi)

    def close(self) -> None:
        """Close the realtime connections and pooled HTTP connections."""
        client, self._websocket = self._websocket, None
        if client is not None:
            client.close()
        for transport in self._transports.values():
            transport.close()
        if self._gateway is not None:
            self._gateway.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def stock(self, symbol: str, market: str | None = None) -> KisStock:
        """The stock ``symbol`` (``"005930"``, ``"NVDA"``…), its market resolved from the master files
        unless named. Raises :class:`~pykis.errors.KisNotFoundError` for an unknown symbol."""
        from pykis.scopes.stock import KisStock  # noqa: PLC0415 — scopes import the client (type cycle)

        return KisStock(self, self.run(self._resolve_flow(symbol, market)))

    def account(self, account: str | KisAccountNumber | None = None) -> KisAccount:
        """The account ``"NNNNNNNN-NN"`` (default: the primary account of the trading credentials)."""
        from pykis.scopes.account import KisAccount  # noqa: PLC0415

        return KisAccount(self, self._account_number(account))

    def quotes(self, symbols: Iterable[str | StockBase], *, venue: Venue = "KRX") -> list[KisQuote]:
        """Quotes of many stocks, in input order. Domestic symbols go 30 to a FHKST11300006 call (those quotes
        carry prices, volume and limits but no indicators); overseas ones one HHDFS76200200 call each. The
        calls run on a few threads, within the shared rate limit."""
        return self.run(self._quotes_flow(symbols, venue))

    def search(self, text: str, *, limit: int = 20, markets: Iterable[str] | None = None) -> list[MasterRow]:
        """Listings whose code, Korean or English name contains ``text`` (exact, then prefix, then substring
        matches), over the master files of ``markets`` (default: every market)."""
        return self.run(self._search_flow(text, limit, markets))

    def is_trading_day(self, market: str, day: date | None = None) -> bool:
        """Whether ``market`` trades on ``day`` (default: today there). KRX asks CTCA0903R (real service,
        kept for the client's lifetime); other markets use the built-in calendars."""
        return self.run(self._trading_day_flow(market, day))


class AsyncPyKis(_TwinCore["AsyncKisWebsocketClient"]):
    """The asyncio client: the same arguments and operations as :class:`PyKis`, as coroutines.

    >>> async with AsyncPyKis("secret.json") as kis:                     # doctest: +SKIP
    ...     envelope = await kis.request(call)
    """

    _blocking = False

    def _connect(self, options: TransportOptions) -> None:
        from pykis.drivers.transport_asyncio import AsyncTransport  # noqa: PLC0415 — each client loads only its own stack

        self._transports: dict[Environment, AsyncTransport] = {
            env: AsyncTransport(host, options) for env, host in self._rest_hosts()
        }
        # Tokens are issued on the event loop (TokenManager.get_async), never through a blocking send.
        self._tokens = self._token_managers(dict.fromkeys(self._transports))

    async def run(self, flow: Generator[Step, Any, T]) -> T:
        """Drive ``flow`` to its end, performing each action it yields; returns what the flow returns."""
        drive = FlowDrive(flow)
        while (step := drive.next()) is not None:
            try:
                drive.result = await self._perform(step)
            except Exception as exc:  # noqa: BLE001 — handed to the flow, which re-raises what it cannot handle
                drive.error = exc
        return drive.value

    async def _perform(self, step: Step) -> Any:
        expanded = self._expand(step)
        if expanded is not None:
            return await self.run(expanded)
        if isinstance(step, Send):
            try:
                response: HttpResponse = await self._transports[step.environment].send(step.request)
            finally:
                if step.permit is not None:
                    await self._limiters[step.environment].complete_async(step.permit)
            self.clock.observe(response.headers.get("date"))
            return response
        if isinstance(step, Throttle):
            return await self._limiters[step.environment].acquire()
        if isinstance(step, GetToken):
            return await self._tokens[step.environment].get_async(self._sender(step.environment), step.stale)
        if isinstance(step, Relay):
            assert self._gateway is not None
            return await self._gateway.arequest(step.call)
        return await self._perform_local(step)

    async def _perform_local(self, step: Step) -> Any:
        if isinstance(step, Sleep):
            await asyncio.sleep(step.seconds)
            return None
        if isinstance(step, RateRefused):
            await self._limiters[step.environment].refused_async()
            return None
        if isinstance(step, Offload):
            return await asyncio.to_thread(step.function, *step.args)
        if isinstance(step, FetchMaster):
            from pykis.drivers.masters_fetch import fetch_master_async  # noqa: PLC0415 — only when downloading

            return await fetch_master_async(step, self._timeout, self._verify)
        if isinstance(step, Gather):
            return await asyncio.gather(*(self.run(flow) for flow in step.flows))
        raise TypeError(f"unknown action {step!r}")

    def _sender(self, environment: Environment) -> Callable[[Any], Any]:
        return self._transports[environment].send

    async def request(self, call: ApiCall) -> Envelope:
        """Perform one API call and return its envelope; raises a :class:`~pykis.errors.KisError`."""
        return await self.run(self.request_flow(call))

    async def paginate(self, call: ApiCall, *, max_pages: int = 100) -> AsyncIterator[Envelope]:
        """Every page of a continued inquiry (``tr_cont`` + ``CTX_AREA_*``), at most ``max_pages``."""
        pages = PageCursor(call, max_pages)
        for page in pages:
            pages.seen(envelope := await self.request(page))
            yield envelope

    async def token(self, environment: Environment | None = None) -> AccessToken:
        """The access token of ``environment`` (default: the trading one), issuing it if needed."""
        tokens = self._token_manager(environment)
        return await tokens.current_async(self._sender(tokens.environment))

    async def revoke(self) -> None:
        """Revoke every access token this client holds (``/oauth2/revokeP``)."""
        for tokens in self._revocable():
            await tokens.revoke_async(self._sender(tokens.environment))

    async def approval_key(self, environment: Environment, *, renew: bool = False) -> str:
        """The WebSocket approval key of ``environment`` (``/oauth2/Approval``), cached until ``renew``."""
        return await self.run(self._approval_flow(environment, renew))

    @property
    def api(self) -> AsyncKisApi:
        """Every REST API and realtime TR of the KIS catalog, typed and generated (:mod:`pykis.api`):
        ``await kis.api.domestic_stock.inquire_price(FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD="005930")``."""
        from pykis.facade import AsyncKisApi  # noqa: PLC0415 — the generated catalog loads on first use

        return self._once("_api", AsyncKisApi)

    async def close(self) -> None:
        """Close the realtime connections and pooled HTTP connections."""
        client, self._websocket = self._websocket, None
        if client is not None:
            await client.close()
        for transport in self._transports.values():
            await transport.close()
        if self._gateway is not None:
            await asyncio.to_thread(self._gateway.close)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.close()

    async def stock(self, symbol: str, market: str | None = None) -> AsyncKisStock:
        """The stock ``symbol``, resolved as :meth:`PyKis.stock` does."""
        from pykis.scopes.stock import AsyncKisStock  # noqa: PLC0415 — scopes import the client (type cycle)

        return AsyncKisStock(self, await self.run(self._resolve_flow(symbol, market)))

    def account(self, account: str | KisAccountNumber | None = None) -> AsyncKisAccount:
        """The account ``"NNNNNNNN-NN"`` (default: the primary account); no request is made."""
        from pykis.scopes.account import AsyncKisAccount  # noqa: PLC0415

        return AsyncKisAccount(self, self._account_number(account))

    async def quotes(self, symbols: Iterable[str | StockBase], *, venue: Venue = "KRX") -> list[KisQuote]:
        """Quotes of many stocks in input order, as :meth:`PyKis.quotes`; the calls run concurrently."""
        return await self.run(self._quotes_flow(symbols, venue))

    async def search(self, text: str, *, limit: int = 20, markets: Iterable[str] | None = None) -> list[MasterRow]:
        """Listings matching ``text`` over the master files (see :meth:`PyKis.search`)."""
        return await self.run(self._search_flow(text, limit, markets))

    async def is_trading_day(self, market: str, day: date | None = None) -> bool:
        """Whether ``market`` trades on ``day`` (see :meth:`PyKis.is_trading_day`)."""
        return await self.run(self._trading_day_flow(market, day))

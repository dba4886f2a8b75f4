"""The machinery behind the generated API layer (:mod:`pykis.api`): specs, operations, results.

Each generated operation is an :class:`Op`: a :class:`Spec` (the catalog entry: method, path, TR IDs per
environment and condition, request fields, output blocks, the row type) plus a signature-only function
that gives the keyword arguments their names and types. Called on its own (``domestic_stock.inquire_price(
FID_COND_MRKT_DIV_CODE="J", FID_INPUT_ISCD="005930")``) an operation only builds a :class:`Prepared` call —
an ordinary :class:`~pykis.protocol.request.ApiCall` and the row type — without I/O. Read through a
category of a client (``kis.api.domestic_stock.inquire_price(...)``) it runs the call with the client's
own ``request``/``paginate`` (the same flows every high-level scope uses) and returns a
:class:`KisApiResult`; through ``AsyncPyKis.api`` the same attribute returns an awaitable.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar, Generic, ParamSpec, Protocol, TypeVar, cast, overload

import msgspec

from pykis.errors import KisValidationError
from pykis.protocol.clock import KST
from pykis.protocol.request import ApiCall
from pykis.wire import KisApiRow

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Generator, Iterator
    from datetime import tzinfo
    from typing import Self

    from pykis.protocol.env import Environment
    from pykis.protocol.envelope import Envelope
    from pykis.protocol.http import Method

__all__ = [
    "Async",
    "AsyncRunner",
    "Category",
    "KisApiResult",
    "KisApiRow",
    "Op",
    "Prepared",
    "Spec",
    "Sync",
    "SyncRunner",
    "op",
]

P = ParamSpec("P")
R = TypeVar("R", bound="KisApiRow")
M = TypeVar("M", "Sync", "Async")
T = TypeVar("T")
TrSpec = str | Mapping[str, str] | None


@cache
def _names(row: type[KisApiRow]) -> dict[str, str]:
    # A column spelled two ways on the wire (``excg_id_dvsn_Cd``/``excg_id_dvsn_cd``) has a field for each:
    # the exact spelling wins, any other case falls back to the lower-case one.
    fields = row.__struct_fields__
    return {**{name.lower(): name for name in fields if name.lower() not in fields}, **{name: name for name in fields}}


def _row(row: type[R], data: Mapping[str, Any]) -> R:
    names = _names(row)
    values: dict[str, str] = {}
    for key, value in data.items():
        name = names.get(str(key)) or names.get(str(key).lower())
        if name is not None and value is not None:
            values[name] = value if isinstance(value, str) else str(value)
    return row(**values)


class KisApiResult(Generic[R]):
    """The typed answer of a generated operation: its output blocks as lists of rows (a single-object
    block becomes a one-row list; pages of a continued inquiry are concatenated)."""

    __slots__ = ("blocks", "envelopes", "spec")

    def __init__(self, spec: Spec[R]) -> None:
        self.spec = spec
        self.blocks: dict[str, list[R]] = {name: [] for name in spec.outputs}
        self.envelopes: list[Envelope] = []

    def add(self, envelope: Envelope) -> None:
        """Fold one page in."""
        self.envelopes.append(envelope)
        body = envelope.body
        names = self.spec.outputs or tuple(k for k in body if k.startswith("output"))
        for name in names:
            block = body.get(name)
            rows = self.blocks.setdefault(name, [])
            if isinstance(block, Mapping):
                if not rows or not self.spec.paginated:
                    rows.append(_row(self.spec.row, block))
            elif isinstance(block, list):
                rows.extend(_row(self.spec.row, item) for item in block if isinstance(item, Mapping))
        if not names and not self.envelopes[:-1]:
            self.blocks["output"] = [_row(self.spec.row, body)]

    def block(self, name: str) -> list[R]:
        """The rows of block ``name`` (``[]`` when absent)."""
        return self.blocks.get(name, [])

    @property
    def output(self) -> list[R]:
        """Block ``output``."""
        return self.block("output")

    @property
    def output1(self) -> list[R]:
        """Block ``output1``."""
        return self.block("output1")

    @property
    def output2(self) -> list[R]:
        """Block ``output2``."""
        return self.block("output2")

    @property
    def output3(self) -> list[R]:
        """Block ``output3``."""
        return self.block("output3")

    @property
    def rows(self) -> list[R]:
        """Every row of every block, in block order."""
        return [row for rows in self.blocks.values() for row in rows]

    @property
    def first(self) -> R | None:
        """The first row of the first non-empty block."""
        for rows in self.blocks.values():
            if rows:
                return rows[0]
        return None

    @property
    def tr_id(self) -> str | None:
        """The TR ID that was sent."""
        return self.envelopes[0].tr_id if self.envelopes else None

    @property
    def pages(self) -> int:
        """How many pages were read."""
        return len(self.envelopes)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{name}={len(rows)}" for name, rows in self.blocks.items())
        return f"KisApiResult({self.spec.category}.{self.spec.name}, tr_id={self.tr_id!r}, {sizes})"


def _clauses(condition: str) -> list[tuple[str, frozenset[str]]]:
    parts = []
    for clause in condition.split("&"):
        name, _, values = clause.strip().partition("=")
        parts.append((name.strip(), frozenset(v.strip() for v in values.split("|"))))
    return parts


def _select(spec: TrSpec, values: Mapping[str, str]) -> str | None:
    if spec is None or isinstance(spec, str):
        return spec
    for condition, tr_id in spec.items():
        if all(values.get(name, "") in allowed for name, allowed in _clauses(condition)):
            return tr_id
    return None


class Spec(msgspec.Struct, Generic[R], frozen=True):
    """One catalog entry, as the generator wrote it down."""

    category: str
    name: str
    method: Method
    path: str
    real: TrSpec
    demo: TrSpec
    demo_supported: bool
    paginated: bool
    outputs: tuple[str, ...]
    row: type[R]
    params: Mapping[str, str | None]
    """Request field → the value sent when the caller gives none (``""`` or the sample's fixed value;
    ``None``: the field is left out)."""
    selectors: tuple[str, ...] = ()
    trading: bool = False
    oauth: bool = False
    title: str = ""

    def prepare(self, kwargs: Mapping[str, str]) -> Prepared[R]:
        """The call for these keyword arguments (request fields and TR selectors)."""
        params: dict[str, str] = {}
        for name, default in self.params.items():
            value = kwargs.get(name, default)
            if value is None:
                continue
            if not isinstance(value, str):
                raise KisValidationError(f"{self.name}: {name} must be a string, got {type(value).__name__}")
            params[name] = value
        unknown = set(kwargs) - set(self.params) - set(self.selectors)
        if unknown:
            raise KisValidationError(f"{self.name}: unknown arguments {', '.join(sorted(unknown))}")
        chosen = {**params, **{name: str(kwargs.get(name, "")) for name in self.selectors}}
        real = _select(self.real, chosen)
        demo = _select(self.demo, chosen)
        if real is None and self.real is not None:
            raise KisValidationError(f"{self.name}: no TR ID for {chosen_text(self, chosen)}")
        call = ApiCall(
            self.method,
            self.path,
            real,
            params,
            virtual_tr_id=demo,
            virtual_supported=self.demo_supported and (demo is not None or (self.demo is None and real is None)),
            trading=self.trading,
        )
        return Prepared(self, call)


def chosen_text(spec: Spec[Any], chosen: Mapping[str, str]) -> str:
    """The selector values of a failed TR choice, for the error message."""
    names = [
        *spec.selectors,
        *{n for c in (spec.real if isinstance(spec.real, Mapping) else {}) for n, _ in _clauses(c)},
    ]
    return ", ".join(f"{n}={chosen.get(n, '')!r}" for n in dict.fromkeys(names))


class Prepared(msgspec.Struct, Generic[R], frozen=True):
    """A built call and how to read its answer; run it with ``kis.api.run(prepared)``."""

    spec: Spec[R]
    call: ApiCall


class Sync:
    """Marker: operations read through a :class:`PyKis` return results."""


class Async:
    """Marker: operations read through an :class:`AsyncPyKis` return awaitables."""


if TYPE_CHECKING:  # the runners' view of the clients, for the type checker only (a Protocol class costs
    # a cold import ~0.3 ms to build)

    class BlockingClient(Protocol):
        """What a runner needs of :class:`~pykis.PyKis` (the builders never import the client)."""

        def request(self, call: ApiCall, /) -> Envelope: ...
        def paginate(self, call: ApiCall, /, *, max_pages: int = ...) -> Iterator[Envelope]: ...
        def run(self, flow: Generator[Any, Any, T], /) -> T: ...
        def _now_flow(self, zone: tzinfo, /) -> Generator[Any, Any, datetime]: ...

    class AsyncClient(Protocol):
        """What a runner needs of :class:`~pykis.AsyncPyKis`."""

        async def request(self, call: ApiCall, /) -> Envelope: ...
        def paginate(self, call: ApiCall, /, *, max_pages: int = ...) -> AsyncIterator[Envelope]: ...
        async def approval_key(self, environment: Environment, /, *, renew: bool = ...) -> str: ...
        async def token(self, environment: Environment | None = ..., /) -> Any: ...
        def _side_for(self, *, trading: bool) -> Any: ...
        async def run(self, flow: Generator[Any, Any, T], /) -> T: ...
        def _now_flow(self, zone: tzinfo, /) -> Generator[Any, Any, datetime]: ...


class SyncRunner:
    """Runs prepared calls on a blocking client."""

    def __init__(self, kis: BlockingClient, max_pages: int = 100) -> None:
        self.kis = kis
        self.max_pages = max_pages

    def run(self, prepared: Prepared[R]) -> KisApiResult[R]:
        """Send the call (every page of a continued inquiry) and decode the rows."""
        spec, call = prepared.spec, prepared.call
        result = KisApiResult(spec)
        if spec.oauth:
            result.add(_oauth_envelope(spec, self.kis, None, self.kis.run(self.kis._now_flow(KST))))
            return result
        if spec.paginated:
            for envelope in self.kis.paginate(call, max_pages=self.max_pages):
                result.add(envelope)
        else:
            result.add(self.kis.request(call))
        return result


class AsyncRunner:
    """Runs prepared calls on an asyncio client."""

    def __init__(self, kis: AsyncClient, max_pages: int = 100) -> None:
        self.kis = kis
        self.max_pages = max_pages

    async def run(self, prepared: Prepared[R]) -> KisApiResult[R]:
        """Send the call (every page of a continued inquiry) and decode the rows."""
        spec, call = prepared.spec, prepared.call
        result = KisApiResult(spec)
        if spec.oauth:
            side = self.kis._side_for(trading=True).environment
            if spec.name == "auth_ws_token":
                value: Any = await self.kis.approval_key(side)
            else:
                value = await self.kis.token(side)
            result.add(_oauth_envelope(spec, self.kis, value, await self.kis.run(self.kis._now_flow(KST))))
            return result
        if spec.paginated:
            async for envelope in self.kis.paginate(call, max_pages=self.max_pages):
                result.add(envelope)
        else:
            result.add(await self.kis.request(call))
        return result


def _oauth_envelope(spec: Spec[Any], kis: Any, value: Any, now: datetime) -> Envelope:
    """The OAuth APIs go through the client's token and approval-key managers (cached, renewed); ``now`` is the
    service's (heard once, as for any date that goes on the wire)."""

    from pykis.protocol.envelope import Envelope  # noqa: PLC0415 — the envelope (msgspec) loads with the first call

    side = kis._side_for(trading=True).environment
    if spec.name == "auth_ws_token":
        key = value if value is not None else kis.approval_key(side)
        return Envelope({"approval_key": key}, None)
    token = value if value is not None else kis.token(side)
    # As the service words it: the seconds left, and the expiry as a Korea-time stamp of the service's clock.
    left = max(0.0, kis._token_manager(side).seconds_left(token))
    expires = (now + timedelta(seconds=left)).strftime("%Y-%m-%d %H:%M:%S")
    body = {
        "access_token": token.value,
        "token_type": token.token_type,
        "expires_in": str(int(left)),
        "access_token_token_expired": expires,
    }
    return Envelope(body, None)


class Op(Generic[P, R]):
    """A generated operation (see the module doc)."""

    def __init__(self, spec: Spec[R], signature: Callable[P, object]) -> None:
        self.spec = spec
        self.__name__ = spec.name
        self.__doc__ = signature.__doc__
        self.__wrapped__ = signature

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Prepared[R]:
        if args:
            raise TypeError(f"{self.spec.name}() takes keyword arguments only")
        return self.spec.prepare(cast("dict[str, str]", kwargs))

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, obj: Category[Sync], owner: type[Any]) -> Callable[P, KisApiResult[R]]: ...
    @overload
    def __get__(self, obj: Category[Async], owner: type[Any]) -> Callable[P, Awaitable[KisApiResult[R]]]: ...
    def __get__(self, obj: Category[Any] | None, owner: type[Any]) -> Any:
        if obj is None:
            return self
        runner = obj._runner
        spec = self.spec

        def bound(*args: Any, **kwargs: Any) -> Any:
            if args:
                raise TypeError(f"{spec.name}() takes keyword arguments only")
            return runner.run(spec.prepare(kwargs))

        bound.__name__ = spec.name
        bound.__doc__ = self.__doc__
        return bound

    def __repr__(self) -> str:
        return f"<api {self.spec.category}.{self.spec.name} {self.spec.method} {self.spec.path}>"


def op(spec: Spec[R]) -> Callable[[Callable[P, object]], Op[P, R]]:
    """Decorator of the generated modules: the function only declares the signature and docstring."""

    def wrap(signature: Callable[P, object]) -> Op[P, R]:
        return Op(spec, signature)

    return wrap


class LazyPackage(types.ModuleType):
    """A generated category package whose APIs load on first use (its ``_MODULES``: attribute → module).

    Importing an API's module binds the module in its package under the module's own name, which is the
    operation's: a reader in between (another thread, or code after a direct import of the module) got the module
    instead of the operation. That binding here binds what the module defines instead."""

    def __getattr__(self, name: str) -> Any:
        module = self.__dict__["_MODULES"].get(name)
        if module is None:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        # The import binds the module's names through __setattr__, but only after another thread's import of it
        # may already have returned here: bind them again, which is idempotent.
        setattr(self, module, importlib.import_module(f"{self.__name__}.{module}"))
        return self.__dict__[name]

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and value.__name__ == f"{self.__name__}.{name}":
            homes = self.__dict__["_MODULES"].items()
            defined = {attribute: getattr(value, attribute) for attribute, home in homes if home == name}
            if defined:
                self.__dict__.update(defined)
                return
        super().__setattr__(name, value)


def lazy_package(name: str) -> None:
    """Make the generated category package ``name`` a :class:`LazyPackage` (called by its ``__init__``)."""
    sys.modules[name].__class__ = LazyPackage


class Category(Generic[M]):
    """The operations of one catalog category, bound to a client's runner."""

    _package: ClassVar[str] = ""
    """The generated package whose operations this category serves (each loaded on first use)."""

    def __init__(self, runner: SyncRunner | AsyncRunner) -> None:
        self._runner = runner

    if not TYPE_CHECKING:  # the type checker reads the generated class attributes instead

        def __getattr__(self, name: str) -> Any:
            if name.startswith("_"):
                raise AttributeError(name)
            value = getattr(importlib.import_module(self._package), name)
            if not isinstance(value, Op):
                raise AttributeError(f"{type(self).__name__} has no operation {name!r}")
            return value.__get__(self, type(self))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} api>"

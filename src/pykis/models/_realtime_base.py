"""The machinery under the realtime events: column descriptors, typed fields and the one-pass decoder.

A record arrives as one ``^``-joined string. An event keeps that string and decodes it in one of two ways:

- **lazily**, field by field, for the first :data:`LAZY_READS` reads: a callback that looks at the price and
  the volume pays for two partial splits and two conversions, nothing more;
- **in one pass** on the next read: the record is split once and a straight-line decoder compiled for the
  concrete event type stores every typed field as an instance attribute, so later reads are plain attribute
  lookups (a :class:`Field` is a non-data descriptor: once the instance holds the value, Python never calls it).

Each concrete type compiles its readers once, as straight-line code with its positions written in, and gets a
descriptor of its own per field whose ``__get__`` is that reader; small computes declared with :func:`inline`
(the signed change, the side of a trade, the levels of a book) are written out in place of a call.

Positions are never written by hand: a typed :class:`Field` names its wire columns (``"STCK_PRPR"``), and each
concrete per-TR type (generated into :mod:`pykis.models._realtime_events` from the catalog, one
:class:`Column` per wire column) resolves those names to positions the first time it decodes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, overload

import msgspec

from pykis.protocol.clock import KST

if TYPE_CHECKING:
    from typing import Self

__all__ = [
    "KST",
    "LAZY_READS",
    "Column",
    "Field",
    "KisRealtimeEvent",
    "KisRealtimeLevel",
    "KisRealtimeRecord",
    "column",
    "inline",
]

T = TypeVar("T")

LAZY_READS = 2
"""Field reads served lazily (one partial split each) before an event decodes its whole record in one pass."""

_DECODED = LAZY_READS + 1
"""An event's read count once its record is decoded in full."""


# ------------------------------------------------------------------------------------------- conversions


def _dec(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        return Decimal(0) if not text.strip() else Decimal("NaN")


def _or_none(convert: Callable[[str], T]) -> Callable[[str], T | None]:
    """``convert`` for a column a layout may lack: ``None`` when blank or absent (the column reads ``""``) or
    malformed."""

    def read(text: str) -> T | None:
        if not text or not text.strip():
            return None
        try:
            return convert(text)
        except (ArithmeticError, ValueError):  # InvalidOperation is an ArithmeticError
            return None

    read.__name__ = read.__qualname__ = f"{getattr(convert, '__name__', 'convert')}_or_none"
    return read


_dec_or_none = _or_none(Decimal)
_int_or_none = _or_none(int)


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        try:
            return int(Decimal(text))
        except (InvalidOperation, ValueError, OverflowError):
            return 0


def _text(value: str) -> str:
    """A column read as sent (the compiled decoders inline it)."""
    return value


_SAFE: dict[Callable[..., Any], Callable[..., Any]] = {Decimal: _dec, int: _int}
"""The tolerant twin of each strict converter: the one-pass decoder uses the strict (fast) ones and, when a
record holds a malformed number, decodes it again with these (blank → 0, garbage → NaN or 0)."""


_INLINE: dict[Callable[..., Any], tuple[str, tuple[str, ...], dict[str, Any]]] = {}
"""Computes declared by one expression (:func:`inline`): its text, its parameters and the globals it uses."""

F = TypeVar("F", bound=Callable[..., Any])


def inline(expression: str, **helpers: Any) -> Callable[[F], F]:
    """Declare a compute by one expression, which the compiled readers write out in place of a call (a Python
    call costs about as much as a cheap field's whole conversion).

    The expression names the decorated function's parameters as ``{name}``, each used once (a second use goes
    through ``({v} := …)``, ``{v}`` being a local of its own); ``helpers`` are the globals it uses. The
    decorated function keeps its name, signature and docstring; the expression becomes its body.
    """

    def declare(function: F) -> F:
        code = function.__code__
        parameters = code.co_varnames[: code.co_argcount]
        body = expression.format(v="v", **{name: name for name in parameters})
        namespace = dict(helpers)
        source = f"def {function.__name__}({', '.join(parameters)}):\n    return {body}\n"
        exec(compile(source, f"<realtime compute {function.__name__}>", "exec"), namespace)  # noqa: S102
        made: F = namespace[function.__name__]
        made.__qualname__, made.__module__, made.__doc__ = function.__qualname__, function.__module__, function.__doc__
        made.__annotations__ = function.__annotations__
        _INLINE[made] = (expression, parameters, helpers)
        return made

    return declare


def _plain(value: object) -> str:
    if isinstance(value, Decimal):
        text = format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text or "0"
    if isinstance(value, datetime):
        return repr(value.isoformat())
    return repr(value)


_MEMO_SIZE = 4096
"""Entries a memo below keeps before it starts over: far more than a feed's distinct prices or seconds."""


class _Prices(dict[str, Decimal]):
    """Price text → ``Decimal``, remembered. Prices move in ticks, so a feed repeats a narrow set of them: a
    hit is a dict lookup, a third of building a ``Decimal`` (which is immutable, hence safe to share)."""

    __slots__ = ()

    def __missing__(self, text: str) -> Decimal:
        value = Decimal(text)  # raises on malformed text: the tolerant decoder reads the record again
        if len(self) >= _MEMO_SIZE:
            self.clear()
        self[text] = value
        return value


_price: Callable[[str], Decimal] = _Prices().__getitem__
"""A price column as ``Decimal`` (strict: raises on malformed text, like ``Decimal``)."""
_SAFE[_price] = _dec


def _at(day: date | None, hhmmss: str, zone: tzinfo) -> datetime | None:
    if day is None or len(hhmmss) < 6 or not hhmmss[:6].isdecimal():
        return None
    hour, rest = divmod(int(hhmmss[:6]), 10000)
    minute, second = divmod(rest, 100)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return datetime(day.year, day.month, day.day, hour, minute, second, 0, zone)  # positional: twice as fast


class _Memo(dict[tuple[Any, ...], Any]):
    """``compute(*key)`` by key, remembered: the decoders call its ``__getitem__`` (no Python frame on a hit).
    For fields a feed repeats from record to record, such as the datetime of the second a trade happened."""

    __slots__ = ("compute",)

    def __init__(self, compute: Callable[..., Any]) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, key: tuple[Any, ...]) -> Any:
        value = self.compute(*key)
        if len(self) >= _MEMO_SIZE:
            self.clear()
        self[key] = value
        return value


_DAYS: dict[str, date | None] = {}


def _ymd(text: str) -> date | None:
    # A feed carries one or two dates a day: remember them rather than parse each record's.
    day = _DAYS.get(text, _DAYS)
    if day is not _DAYS:
        return day  # type: ignore[return-value]
    parsed: date | None = None
    if len(text) == 8 and text.isdecimal():
        try:
            parsed = date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            parsed = None
    if len(_DAYS) > 64:
        _DAYS.clear()
    _DAYS[text] = parsed
    return parsed


class KisRealtimeLevel(msgspec.Struct, array_like=True, frozen=True, gc=False):
    """One order-book level: price and the quantity resting there.

    A frozen struct (a book builds twenty per record: a third of a named tuple's cost) that still unpacks and
    indexes like the ``(price, qty)`` pair it was: ``price, qty = level``, ``level[0]``. It encodes as
    ``[price, qty]``; unlike a tuple it equals only another level.
    """

    price: Decimal
    qty: int

    def __iter__(self) -> Iterator[Decimal | int]:
        return iter((self.price, self.qty))

    def __getitem__(self, index: int) -> Decimal | int:
        return (self.price, self.qty)[index]


# ------------------------------------------------------------------------------------------- descriptors


class Column:
    """One wire column of a realtime record, read as the string sent (``""`` when the record is narrower)."""

    __slots__ = ("index", "name", "wire")

    def __init__(self, index: int, wire: str = "") -> None:
        self.index = index
        self.wire = wire
        self.name = ""

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name
        self.wire = self.wire or name.upper()

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, obj: KisRealtimeEvent, owner: type[Any]) -> str: ...
    def __get__(self, obj: KisRealtimeEvent | None, owner: type[Any]) -> Any:
        if obj is None:
            return self
        return obj._f(self.index)

    def __repr__(self) -> str:
        return f"<column {self.index} {self.wire}>"


def column(index: int, wire: str = "") -> Any:
    """A :class:`Column` descriptor for position ``index`` (wire name ``wire``), typed ``str`` on instances."""
    return Column(index, wire)


class Field(Generic[T]):
    """A typed field of a realtime model: ``compute`` applied to the named wire columns.

    A column name may list alternatives (``"CCLD_DVSN|CNTG_CLS_CODE"``: the KRX and NXT spellings of one
    position); a column the event's layout lacks reads as ``""``. With ``context=True`` the event itself is
    passed first (for the TR, the realtime key or the day the frame arrived); ``context="_k"`` passes that
    attribute of it. With ``lists=n`` the columns form ``n`` equal runs, each passed as one list (a slice of the
    record when its columns are adjacent). With ``memo=True`` the values are remembered by their arguments
    (for a pure ``compute`` of values a feed repeats; not with ``context=True``).
    """

    __slots__ = ("columns", "compute", "context", "lists", "memo", "name", "slot")

    def __init__(
        self, compute: Callable[..., T], *columns: str, context: bool | str = False, lists: int = 0, memo: bool = False
    ) -> None:
        if memo and context is True:
            raise ValueError("a memo cannot be keyed by the event itself")
        self.compute = compute
        self.columns = columns
        self.context = context
        self.lists = lists
        self.memo = memo
        self.name = ""
        self.slot = -1

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, obj: KisRealtimeEvent, owner: type[Any]) -> T: ...
    def __get__(self, obj: KisRealtimeEvent | None, owner: type[Any]) -> Any:
        # Called only before the event's type has its own readers (the first read of a new type, or a model
        # made directly); see _Plan.install.
        if obj is None:
            return self
        return type(obj)._resolve().readers[self.slot](self, obj, owner)

    def __repr__(self) -> str:
        return f"<field {self.name} {'|'.join(self.columns)}>"


def _arguments(field: Field[Any], indexes: tuple[int, ...]) -> list[str]:
    """The source of the arguments a field's compute is called with, ``p`` being the record's columns."""
    context = field.context
    args = [] if not context else [f"e.{context}"] if isinstance(context, str) else ["e"]
    if not field.lists:
        return args + [f"p[{i}]" if i >= 0 else '""' for i in indexes]
    size = len(indexes) // field.lists
    for start in range(0, len(indexes), size):
        run = indexes[start : start + size]
        if run[0] >= 0 and list(run) == list(range(run[0], run[0] + size)):
            args.append(f"p[{run[0]}:{run[0] + size}]")
        else:
            args.append("[" + ", ".join(f"p[{i}]" if i >= 0 else '""' for i in run) + "]")
    return args


class _Plan:
    """A concrete event type's decoding plan: field positions and the readers compiled for them."""

    __slots__ = ("decode", "indexes", "names", "need", "positions", "readers")

    def __init__(self, kind: type[KisRealtimeEvent]) -> None:
        positions: dict[str, int] = {}
        for klass in reversed(kind.__mro__):
            for value in vars(klass).values():
                if isinstance(value, Column):
                    positions[value.wire.upper()] = value.index
        self.positions = positions
        self.names = tuple(field.name for field in kind._fields)
        self.indexes: list[tuple[int, ...]] = []
        for field in kind._fields:
            resolved = []
            for names in field.columns:
                found = [positions[name] for name in names.upper().split("|") if name in positions]
                resolved.append(found[0] if found else -1)
            self.indexes.append(tuple(resolved))
        self.need = max((i for ix in self.indexes for i in ix), default=-1) + 1
        self.decode, self.readers = self._compile(kind)

    def _compile(self, kind: type[KisRealtimeEvent]) -> tuple[_Decoder, list[_Reader]]:
        # Straight-line code (as dataclasses and namedtuple build theirs). The one-pass decoder makes one call
        # per field, with no loop or dispatch, and stores each value in the instance dict (split keys, shared by
        # the type: about 8 bytes a field). Each field's reader is the __get__ of the type's own descriptor for
        # it: one Python frame counts the read, splits only as far as the field needs and converts, or, once
        # the lazy reads are spent, decodes the rest. The tolerant twins take over when a number is malformed.
        namespace: dict[str, Any] = {"kind": kind, "count": _set_reads}
        strict_stores, safe_stores, lines = [], [], []
        for slot, (field, indexes) in enumerate(zip(kind._fields, self.indexes, strict=True)):
            args = _arguments(field, indexes)
            strict = _call(namespace, f"c{slot}", field, field.compute, args)
            safe = _call(namespace, f"s{slot}", field, _SAFE.get(field.compute, field.compute), args)
            namespace[f"field{slot}"] = field
            strict_stores.append(f"        d[{field.name!r}] = {strict}\n")
            safe_stores.append(f"        d[{field.name!r}] = {safe}\n")
            top = max(indexes, default=-1) + 1
            split = f"        p = e._r.split('^', {top})\n        if len(p) < {top}:\n            p += [''] * {top}\n"
            lines.append(
                f"def get{slot}(self, e, owner=None):\n"
                f"    if type(e) is not kind:  # None (read on the class), or a subclass not resolved yet\n"
                f"        return field{slot}.__get__(e, owner)\n"
                f"    reads = e._v\n"
                f"    if reads < {LAZY_READS}:\n"
                f"        count(e, reads + 1)\n"
                f"{split if top else ''}"
                f"        try:\n            return {strict}\n"
                f"        except (ArithmeticError, ValueError):\n            return {safe}\n"
                f"    decode(e)\n"
                f"    return e.__dict__[{field.name!r}]\n"
            )
        # Into the instance dict: events refuse attribute assignment (they are read-only to their readers).
        need, idle = self.need, ["        pass\n"]  # a type without typed fields decodes nothing
        lines.append(
            f"def decode(e):\n    p = e._r.split('^')\n    if len(p) < {need}:\n        p += [''] * ({need} - len(p))\n"
            f"    d = e.__dict__\n    try:\n{''.join(strict_stores or idle)}"
            f"    except (ArithmeticError, ValueError):\n{''.join(safe_stores or idle)}"
            f"    count(e, {_DECODED})\n"
        )
        exec(compile("".join(lines), f"<realtime decoders {kind.__name__}>", "exec"), namespace)  # noqa: S102
        return namespace["decode"], [namespace[f"get{slot}"] for slot in range(len(kind._fields))]

    def install(self, kind: type[KisRealtimeEvent]) -> None:
        """Give ``kind`` a descriptor of its own per field, whose ``__get__`` is the field's compiled reader
        (one Python frame per read instead of a generic :meth:`Field.__get__` calling into the plan). A model
        made directly keeps its :class:`Field` descriptors (its subclasses resolve positions of their own)."""
        for field, reader in zip(kind._fields, self.readers, strict=True):
            if field.name not in vars(kind):
                descriptor = type(field.name, (), {"__slots__": (), "__get__": reader})
                type.__setattr__(kind, field.name, descriptor())


def _call(namespace: dict[str, Any], name: str, field: Field[Any], compute: Callable[..., Any], args: list[str]) -> str:
    """The source of one call of ``compute`` (bound in ``namespace`` as ``name``): a memo's lookup if the field
    is memoized; the expression of an :func:`inline` compute, or the column itself for one read as sent."""
    if field.memo:
        namespace[name] = _Memo(compute).__getitem__
        return f"{name}(({', '.join(args)},))"
    if compute in _INLINE:
        expression, parameters, helpers = _INLINE[compute]
        for helper, value in helpers.items():
            if namespace.setdefault(helper, value) is not value:
                raise TypeError(f"{field.name}: two inline computes name different {helper!r}")
        return "(" + expression.format(v=f"v{name}", **dict(zip(parameters, args, strict=True))) + ")"
    namespace[name] = compute
    return args[0] if compute is _text and len(args) == 1 else f"{name}({', '.join(args)})"


_Decoder = Callable[[Any], None]
_Reader = Callable[[Any, Any, Any], Any]


# ------------------------------------------------------------------------------------------------ events


class KisRealtimeEvent(msgspec.Struct, dict=True):
    """One record of a realtime frame: the raw text, decoded on access (see the module docstring).

    ``tr_id`` names the TR the record came from; ``raw`` is the record's ``^``-joined text;
    ``fields`` splits it (a new list per call); :meth:`field` reads a column by its ``websocket.json`` name;
    :meth:`as_dict` returns every typed field at once. Made as ``Event(tr_id, raw, key=None, day=None)``.
    """

    # A struct, for its constructor (one C call, a fifth of a Python __init__ storing slots); the instance dict
    # stays unmade until a full decode fills it with the typed fields.
    _t: str
    _r: str
    _k: str | None = None
    _d: date | None = None
    _v: int = 0

    _fields: ClassVar[tuple[Field[Any], ...]] = ()
    _plan: ClassVar[_Plan | None] = None
    __repr_fields__: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = tuple(value for value in vars(cls).values() if isinstance(value, Field))
        if own:
            inherited = cls._fields
            cls._fields = inherited + own
            for slot, field in enumerate(cls._fields):
                if field.slot not in (-1, slot):
                    raise TypeError(f"{cls.__name__}.{field.name}: a field belongs to one model")
                field.slot = slot
        cls._plan = None  # each concrete type resolves its own columns on first use

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{_model_name(self)} is read-only: {name!r} cannot be set")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{_model_name(self)} is read-only: {name!r} cannot be deleted")

    @property
    def tr_id(self) -> str:
        """The TR ID of the frame this record came in (e.g. ``H0STCNT0``)."""
        return self._t

    @property
    def raw(self) -> str:
        """The record's fields joined by ``^``, exactly as received (after decryption)."""
        return self._r

    @property
    def fields(self) -> list[str]:
        """All fields of the record, as strings."""
        return self._r.split("^")

    @property
    def width(self) -> int:
        """How many fields the record has."""
        return self._r.count("^") + 1

    def _f(self, index: int) -> str:
        parts = self._r.split("^", index + 1)
        return parts[index] if index < len(parts) else ""

    def field(self, name: str) -> str | None:
        """The value of column ``name`` (as named in ``websocket.json``), or ``None`` if absent."""
        index = self._index(name)
        if index < 0:
            return None
        parts = self._r.split("^", index + 1)
        return parts[index] if index < len(parts) else None

    @classmethod
    def _resolve(cls) -> _Plan:
        plan = cls.__dict__.get("_plan")
        if plan is None:
            plan = cls._plan = _Plan(cls)
            plan.install(cls)
        return plan

    def _index(self, name: str) -> int:
        """The position of wire column ``name`` in this event's layout (-1 if it has none)."""
        return self._resolve().positions.get(name.upper(), -1)

    def _decode(self) -> None:
        """Every field in one pass, stored on the instance for the reads that follow."""
        (self._plan or self._resolve()).decode(self)

    def as_dict(self) -> dict[str, Any]:
        """Every typed field of the event (its model's properties), decoded in one pass."""
        if self._v != _DECODED:
            self._decode()
        return self.__dict__.copy()  # the decoder's stores, in the model's order, and nothing else

    def __reduce__(self) -> tuple[type[Self], tuple[str, str, str | None, date | None]]:
        # Pickled and copied as the record it came from (decoded again on reading): the struct's own reduce
        # keeps the read count but not the instance dict it counts.
        return type(self), (self._t, self._r, self._k, self._d)

    def __copy__(self) -> Self:
        return type(self)(self._t, self._r, self._k, self._d)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, KisRealtimeEvent)
        return self._t == other._t and self._r == other._r

    def __hash__(self) -> int:
        return hash((self._t, self._r))

    def __rich_repr__(self) -> list[tuple[str, Any]]:
        # What rich prints: the fields the repr shows, not the struct's private ones.
        return [(name, getattr(self, name)) for name in self.__repr_fields__ or ("tr_id", "raw")]

    def __repr__(self) -> str:
        parts = ", ".join(f"{name}={_plain(getattr(self, name))}" for name in self.__repr_fields__)
        return f"{_model_name(self)}({parts})"


def _slot_setter(name: str) -> Callable[[KisRealtimeEvent, Any], None]:
    setter: Callable[[KisRealtimeEvent, Any], None] = KisRealtimeEvent.__dict__[name].__set__
    return setter


# The event's own writes, past its read-only __setattr__: each field's descriptor, about as cheap as a plain store.
_set_key, _set_reads = map(_slot_setter, ("_k", "_v"))


def rekey(event: KisRealtimeEvent, key: str) -> None:
    """Name the realtime key a record belongs to, once its router has told it apart (overseas records that
    lead with the bare symbol)."""
    _set_key(event, key)


class KisRealtimeRecord(KisRealtimeEvent):
    """A record of a TR without a dedicated model: read it with :meth:`field` or :attr:`fields`."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(tr_id={self._t!r}, raw={self._r[:60]!r}{'…' if len(self._r) > 60 else ''})"


def _model_name(event: object) -> str:
    """The name of the hand-written model an event is (the generated per-TR types subclass them and keep
    their repr)."""
    for cls in type(event).__mro__:
        if cls.__module__.startswith("pykis.models._realtime_") and not cls.__module__.endswith("_events"):
            return cls.__name__
    return type(event).__name__

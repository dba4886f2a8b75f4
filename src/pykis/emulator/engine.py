"""The matching engine: accounts, cash, positions and orders against the simulated market. Pure; clock injected.

The engine never reads the system time: ``Market.clock`` is the only source of "now". Every public mutation
first brings the book up to date (``match``), then applies the request, then writes the changed records to the
optional journal (``state.Store``) before it returns, so an acknowledged order survives a restart.

Fill model
----------
* A marketable order walks the displayed book (``Market.orderbook``) level by level and takes at most the
  displayed quantity per level; what our earlier orders took in the same second is subtracted. The rest rests
  (limit), is cancelled (IOC) or, if the book could not fill all of it, the whole order is cancelled (FOK).
* A resting limit order fills at its own price once the simulated price trades *through* it; when the price only
  touches it, a tenth of the volume traded since the last step is shared among our orders at that price in
  price-time priority.
* Closing-price sessions (ORD_DVSN 05/06) fill at the previous/today's close; MOO/LOO (31/32) at the open,
  MOC/LOC (33/34) at the close; TWAP/VWAP (35/36) fill evenly over their window.
* Day orders expire at the end of their session with a ``cancelled`` event.

Modify and cancel follow KIS: each creates a new order number whose ``original_order_no`` names the original;
``QTY_ALL_ORD_YN`` = N moves only part of the remaining quantity. A request against an order with nothing left
is refused (``APBK0927``).

Messages: ``APBK0013`` (accepted), ``APBK0952`` (cash), ``APBK0918`` (market closed) and ``APBK0927`` (nothing to
modify/cancel) are real KIS codes seen in users' logs; the other ``APBK`` codes below are invented stand-ins and
marked so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Protocol
from zoneinfo import ZoneInfo

from pykis.emulator.instruments import Instrument
from pykis.emulator.market import BookLevel, Market

__all__ = [
    "BUY",
    "DEFAULT_FEES",
    "DEFAULT_RATES",
    "MSG_ACCEPTED",
    "SELL",
    "Account",
    "Engine",
    "EngineReject",
    "Fees",
    "Fill",
    "Journal",
    "Order",
    "OrderEvent",
    "Position",
    "Snapshot",
]

BUY = "buy"
SELL = "sell"
_SEOUL = ZoneInfo("Asia/Seoul")

MSG_ACCEPTED = ("APBK0013", "주문 전송 완료 되었습니다.")
"""``msg_cd``/``msg1`` of an accepted order, modify or cancel."""

# Real codes (seen in users' logs of the live service).
_NO_CASH = ("APBK0952", "주문가능금액을 초과 했습니다")
_CLOSED = ("APBK0918", "장운영시간이 아닙니다.(주문불가)")
_NOTHING_LEFT = ("APBK0927", "정정취소 가능수량이 없습니다")
_NO_SYMBOL = ("APBK0656", "해당 종목 정보가 없습니다.")
_NO_QTY = ("APBK0400", "주문가능수량을 초과했습니다.")  # reported by users' mocks; the live code may differ
# Invented stand-ins: the live service's codes for these were not found.
_BAD_TICK = ("APBK0515", "주문가격이 호가단위에 맞지 않습니다.")
_OUT_OF_LIMIT = ("APBK0516", "주문가격이 상하한가를 벗어났습니다.")
_BAD_LOT = ("APBK0517", "주문수량이 매매단위에 맞지 않습니다.")
_BAD_TYPE = ("APBK0518", "주문구분을 확인하여 주십시오.")
_HALTED = ("APBK0519", "거래정지 종목입니다.")
_TOO_MUCH = ("APBK0520", "정정취소 가능수량을 초과하였습니다.")
_NO_ORDER = ("APBK0521", "원주문번호를 잘못 입력하셨습니다.")
_BAD_QTY = ("APBK0522", "주문수량을 확인하여 주십시오.")
_NO_ACCOUNT = ("APBK0523", "계좌번호를 확인하여 주십시오.")


class EngineReject(Exception):
    """A refused request, carrying the KIS ``msg_cd`` and ``msg1`` the server should answer with."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.code} {self.message}"


def _reject(pair: tuple[str, str], detail: str = "") -> EngineReject:
    return EngineReject(pair[0], pair[1] + (f" ({detail})" if detail else ""))


# ------------------------------------------------------------------------------------------------------------
# fees, taxes, currencies

_MINOR = {
    "KRW": Decimal(1),
    "USD": Decimal("0.01"),
    "HKD": Decimal("0.01"),
    "CNY": Decimal("0.01"),
    "JPY": Decimal(1),
    "VND": Decimal(1),
}


def _money(amount: Decimal, currency: str) -> Decimal:
    """Truncate to the currency's minor unit (KIS truncates fees and taxes)."""
    return amount.quantize(_MINOR.get(currency, Decimal("0.01")), rounding=ROUND_DOWN)


@dataclass(frozen=True, slots=True)
class Fees:
    """Commission rates per venue and sell-side taxes.

    ``krx_sell_tax`` maps a year to the KRX securities transaction tax on stock sells (ETFs and ETNs are exempt):
    0.18 % in 2024, 0.15 % in 2025 and 0.20 % from 2026 (the 2025 tax law restored the earlier rate).
    """

    commission: Mapping[str, Decimal] = field(
        default_factory=lambda: {
            "KRX": Decimal("0.00015"),
            "US": Decimal("0.0025"),
            "HK": Decimal("0.003"),
            "CN": Decimal("0.003"),
            "JP": Decimal("0.003"),
            "VN": Decimal("0.003"),
        }
    )
    krx_sell_tax: Mapping[int, Decimal] = field(
        default_factory=lambda: {2024: Decimal("0.0018"), 2025: Decimal("0.0015"), 2026: Decimal("0.0020")}
    )
    sell_tax: Mapping[str, Decimal] = field(
        default_factory=lambda: {"HK": Decimal("0.001"), "CN": Decimal("0.0005"), "VN": Decimal("0.001")}
    )
    buy_tax: Mapping[str, Decimal] = field(default_factory=lambda: {"HK": Decimal("0.001")})

    def commission_rate(self, instrument: Instrument) -> Decimal:
        """Commission as a fraction of the traded amount."""
        return self.commission.get(_venue(instrument), Decimal(0))

    def tax_rate(self, instrument: Instrument, side: str, day: date) -> Decimal:
        """Tax as a fraction of the traded amount for ``side`` on ``day``."""
        venue = _venue(instrument)
        if side == BUY:
            return self.buy_tax.get(venue, Decimal(0))
        if venue == "KRX":
            if instrument.kind != "stock":
                return Decimal(0)
            years = [year for year in self.krx_sell_tax if year <= day.year]
            return self.krx_sell_tax[max(years)] if years else Decimal(0)
        return self.sell_tax.get(venue, Decimal(0))


DEFAULT_FEES = Fees()
DEFAULT_RATES: Mapping[str, Decimal] = {
    "KRW": Decimal(1),
    "USD": Decimal("1400"),
    "HKD": Decimal("180"),
    "CNY": Decimal("195"),
    "JPY": Decimal("9.3"),
    "VND": Decimal("0.055"),
}
"""KRW per unit of each currency."""


def _venue(instrument: Instrument) -> str:
    if instrument.domestic:
        return "KRX"
    if instrument.us:
        return "US"
    return {"SEHK": "HK", "SSE": "CN", "SZSE": "CN", "TSE": "JP", "HNX": "VN", "HSX": "VN"}[instrument.market]


# ------------------------------------------------------------------------------------------------------------
# records


@dataclass(slots=True)
class Position:
    """Holdings of one instrument. ``committed`` shares are tied up in open sell orders."""

    symbol: str
    market: str
    currency: str
    qty: int = 0
    avg_price: Decimal = Decimal(0)
    committed: int = 0

    @property
    def sellable(self) -> int:
        """Quantity that may still be sold (``ord_psbl_qty``)."""
        return self.qty - self.committed


@dataclass(slots=True)
class Account:
    """A trading account: cash and reservations per currency, positions, realized P&L, fees and taxes paid."""

    number: str
    cash: dict[str, Decimal] = field(default_factory=dict)
    reserved: dict[str, Decimal] = field(default_factory=dict)
    positions: dict[tuple[str, str], Position] = field(default_factory=dict)
    realized: dict[str, Decimal] = field(default_factory=dict)
    fees: dict[str, Decimal] = field(default_factory=dict)
    taxes: dict[str, Decimal] = field(default_factory=dict)

    def available(self, currency: str) -> Decimal:
        """Cash not reserved by open buy orders."""
        return self.cash.get(currency, Decimal(0)) - self.reserved.get(currency, Decimal(0))

    def position(self, symbol: str, market: str) -> Position | None:
        """The position in ``symbol`` on ``market``, if any shares are held or committed."""
        return self.positions.get((market, symbol))


@dataclass(slots=True)
class Order:
    """One order as KIS numbers it. Modify and cancel requests are orders too (``kind``)."""

    order_no: str
    """``ODNO``: 10-digit zero-padded."""
    branch: str
    """``KRX_FWDG_ORD_ORGNO``: 5-digit branch number."""
    account: str
    symbol: str
    market: str
    currency: str
    side: str
    ord_dvsn: str
    qty: int
    price: Decimal
    """Limit price; ``0`` for orders without one (market, MOO/MOC, midpoint)."""
    time: datetime
    seq: int
    kind: str = "new"
    """``new``, ``modify`` or ``cancel``."""
    original_order_no: str = ""
    exchange: str = "KRX"
    tif: str = "day"
    """``day``, ``ioc`` or ``fok``."""
    filled_qty: int = 0
    filled_amount: Decimal = Decimal(0)
    cancelled_qty: int = 0
    status: str = "open"
    """``open``, ``filled``, ``cancelled``, ``modified`` (all moved to a modify order) or ``done`` (a
    modify/cancel record)."""
    reserve_price: Decimal = Decimal(0)
    reserved: Decimal = Decimal(0)
    """Cash a buy still ties up; released in proportion as it fills or is cancelled."""
    expires: datetime | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None
    message: str = ""

    @property
    def remaining(self) -> int:
        """Quantity still working (``psbl_qty``)."""
        if self.kind not in {"new", "modify"}:
            return 0
        return self.qty - self.filled_qty - self.cancelled_qty

    @property
    def is_open(self) -> bool:
        """Whether the order can still fill."""
        return self.status == "open" and self.remaining > 0

    @property
    def avg_fill_price(self) -> Decimal:
        """Average fill price, ``0`` before the first fill."""
        return self.filled_amount / self.filled_qty if self.filled_qty else Decimal(0)

    @property
    def ord_tmd(self) -> str:
        """``ORD_TMD``: order time ``HHMMSS`` in Korea time."""
        return self.time.astimezone(_SEOUL).strftime("%H%M%S")

    @property
    def ord_dt(self) -> str:
        """``ORD_DT``: order date ``YYYYMMDD`` in Korea time."""
        return self.time.astimezone(_SEOUL).strftime("%Y%m%d")


@dataclass(frozen=True, slots=True)
class Fill:
    """One execution."""

    fill_no: int
    order_no: str
    account: str
    symbol: str
    market: str
    side: str
    qty: int
    price: Decimal
    amount: Decimal
    fee: Decimal
    tax: Decimal
    time: datetime
    realized: Decimal = Decimal(0)
    """For a sell: ``(price - average cost) * qty`` at the moment of the fill (period profit, TTTC8715R).
    Not journaled: fills read back from a state file carry 0."""


@dataclass(frozen=True, slots=True)
class OrderEvent:
    """Something an execution notice (H0STCNI0 / H0GSCNI0) reports.

    ``kind`` is ``acknowledged``, ``filled``, ``modified``, ``cancelled`` or ``rejected``. For ``filled``,
    ``fill_qty``/``fill_price`` describe this execution; ``filled_qty`` is the order's running total.
    """

    kind: str
    account: str
    order_no: str
    original_order_no: str
    branch: str
    symbol: str
    market: str
    side: str
    ord_dvsn: str
    order_qty: int
    order_price: Decimal
    fill_qty: int
    fill_price: Decimal
    filled_qty: int
    remaining: int
    time: datetime
    cancelled_qty: int = 0
    """For ``cancelled``: the quantity this cancel (or expiry, or IOC/FOK remainder) took off."""
    message: str = ""

    @property
    def cntg_yn(self) -> str:
        """``CNTG_YN``: ``2`` for a fill notice, ``1`` for an order/modify/cancel/reject acknowledgement."""
        return "2" if self.kind == "filled" else "1"

    @property
    def rfus_yn(self) -> str:
        """``RFUS_YN``: ``Y`` when the order was refused."""
        return "Y" if self.kind == "rejected" else "N"

    @property
    def rvse_cncl_dvsn_cd(self) -> str:
        """``RVSE_CNCL_DVSN_CD``: ``0`` new, ``1`` modify, ``2`` cancel."""
        return {"modified": "1", "cancelled": "2"}.get(self.kind, "0")

    @property
    def seln_byov_cls(self) -> str:
        """``SELN_BYOV_CLS``: ``01`` sell, ``02`` buy."""
        return "01" if self.side == SELL else "02"


@dataclass(slots=True)
class Snapshot:
    """Everything the journal stores."""

    accounts: dict[str, Account] = field(default_factory=dict)
    orders: dict[str, Order] = field(default_factory=dict)
    fills: list[Fill] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)


class Journal(Protocol):
    """Durable storage for the engine (``state.Store``)."""

    def load(self) -> Snapshot:
        """Everything stored so far."""
        ...

    def write(
        self, accounts: Iterable[Account], orders: Iterable[Order], fills: Iterable[Fill], counters: Mapping[str, int]
    ) -> None:
        """Store the changed records in one transaction and commit before returning."""
        ...


# ------------------------------------------------------------------------------------------------------------
# order types

_DOMESTIC_TYPES = {
    # ORD_DVSN: (pricing, tif, sessions); pricing: limit | market | best | priority | mid | prev_close | close
    "00": ("limit", "day", "regular"),
    "01": ("market", "day", "regular"),
    "03": ("best", "day", "regular"),
    "04": ("priority", "day", "regular"),
    "05": ("prev_close", "day", "pre"),
    "06": ("close", "day", "post"),
    "07": ("single", "day", "single"),
    "11": ("limit", "ioc", "regular"),
    "12": ("limit", "fok", "regular"),
    "13": ("market", "ioc", "regular"),
    "14": ("market", "fok", "regular"),
    "15": ("best", "ioc", "regular"),
    "16": ("best", "fok", "regular"),
    "21": ("mid", "day", "regular"),
    # NXT pre-market GTP types (PROTOCOL §15), unfilled rest cancelled at the pre-market's end.
    "27": ("limit", "day", "pre"),
    "28": ("best", "day", "pre"),
    "29": ("priority", "day", "pre"),
    "23": ("mid", "ioc", "regular"),
    "24": ("mid", "fok", "regular"),
    "41": ("limit", "day", "after_market"),
    "42": ("limit", "ioc", "after_market"),
    "43": ("limit", "fok", "after_market"),
    "44": ("best", "day", "after_market"),
    "45": ("best", "ioc", "after_market"),
    "46": ("best", "fok", "after_market"),
    "47": ("priority", "day", "after_market"),
}
_US_TYPES = {
    "00": "limit",
    "31": "moo",
    "32": "loo",
    "33": "moc",
    "34": "loc",
    "35": "twap",
    "36": "vwap",
}
_US_SELL_ONLY = {"31", "33"}  # PROTOCOL §10: US buys accept 00/32/34 (plus the algorithmic 35/36)
_PRICED = {"limit", "single", "loo", "loc"}


def _kst_at(day: date, hour: int, minute: int, zone: ZoneInfo = _SEOUL) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


class Engine:
    """Accounts and orders matched against a ``Market``."""

    def __init__(
        self,
        market: Market,
        *,
        fees: Fees = DEFAULT_FEES,
        rates: Mapping[str, Decimal] = DEFAULT_RATES,
        branch: str = "91252",
        journal: Journal | None = None,
        first_order_no: int = 1,
    ) -> None:
        if len(branch) != 5 or not branch.isdigit():
            raise ValueError(f"branch must be 5 digits, got {branch!r}")
        self.market = market
        self.fees = fees
        self.rates = dict(rates)
        self.branch = branch
        self._journal = journal
        snapshot = journal.load() if journal is not None else Snapshot()
        self._accounts = snapshot.accounts
        self._orders = snapshot.orders
        self._fills = snapshot.fills
        self._next_order = snapshot.counters.get("order_no", first_order_no)
        self._next_fill = snapshot.counters.get("fill_no", 1)
        self._seq = snapshot.counters.get("seq", 0)
        self._open: dict[tuple[str, str], list[Order]] = {}
        for order in self._orders.values():
            if order.is_open:
                self._open.setdefault((order.market, order.symbol), []).append(order)
        self._events: list[OrderEvent] = []
        self._last_match: dict[tuple[str, str], datetime] = {}
        self._taken: dict[tuple[str, str], tuple[datetime, dict[Decimal, int]]] = {}
        self._dirty_accounts: set[str] = set()
        self._dirty_orders: set[str] = set()
        self._new_fills: list[Fill] = []

    # ------------------------------------------------------------------------------------------------ accounts

    def open_account(
        self,
        number: str,
        *,
        cash: Mapping[str, Decimal | int | str] | None = None,
        positions: Iterable[tuple[str, str | None, int, Decimal | int | str]] = (),
    ) -> Account:
        """Create (or return the existing) account ``number``, e.g. ``"50123456-01"``.

        ``cash`` seeds balances per currency; ``positions`` seeds holdings as ``(symbol, market, qty, avg)``.
        """
        existing = self._accounts.get(number)
        if existing is not None:
            return existing
        account = Account(number)
        for currency, amount in (cash or {}).items():
            account.cash[currency] = Decimal(str(amount))
        for symbol, market_code, qty, avg in positions:
            instrument = self._instrument(symbol, market_code)
            account.positions[(instrument.market, instrument.symbol)] = Position(
                instrument.symbol, instrument.market, instrument.currency, qty, Decimal(str(avg))
            )
        self._accounts[number] = account
        self._dirty_accounts.add(number)
        self._commit()
        return account

    def account(self, number: str) -> Account:
        """The account ``number``; raises ``EngineReject`` if unknown."""
        account = self._accounts.get(number)
        if account is None:
            raise _reject(_NO_ACCOUNT, number)
        return account

    def accounts(self) -> Sequence[Account]:
        """All accounts."""
        return list(self._accounts.values())

    def deposit(self, number: str, currency: str, amount: Decimal) -> Decimal:
        """Add (or, if negative, withdraw) cash; returns the new balance."""
        account = self.account(number)
        balance = account.cash.get(currency, Decimal(0)) + amount
        if balance < account.reserved.get(currency, Decimal(0)):
            raise _reject(_NO_CASH, currency)
        account.cash[currency] = balance
        self._dirty_accounts.add(number)
        self._commit()
        return balance

    def exchange(self, number: str, source: str, target: str, amount: Decimal) -> Decimal:
        """Convert ``amount`` of ``source`` cash into ``target`` at the rate table; returns the amount bought."""
        account = self.account(number)
        if amount <= 0 or account.available(source) < amount:
            raise _reject(_NO_CASH, source)
        bought = _money(amount * self.rates[source] / self.rates[target], target)
        account.cash[source] = account.cash.get(source, Decimal(0)) - amount
        account.cash[target] = account.cash.get(target, Decimal(0)) + bought
        self._dirty_accounts.add(number)
        self._commit()
        return bought

    def value(self, number: str, *, currency: str = "KRW", at_cost: bool = False) -> Decimal:
        """Cash plus positions valued at the last price (or at average cost), converted into ``currency``."""
        account = self.account(number)
        total = Decimal(0)
        for ccy, amount in account.cash.items():
            total += amount * self.rates[ccy]
        for position in account.positions.values():
            price = position.avg_price if at_cost else self.market.quote(position.symbol, position.market).price
            total += position.qty * price * self.rates[position.currency]
        return total / self.rates[currency]

    # ------------------------------------------------------------------------------------------------ queries

    def order(self, order_no: str) -> Order | None:
        """The order ``order_no`` (any kind)."""
        return self._orders.get(order_no.zfill(10))

    def orders(self, number: str | None = None, *, open_only: bool = False) -> list[Order]:
        """Orders, oldest first, optionally of one account and/or still working."""
        return [
            order
            for order in self._orders.values()
            if (number is None or order.account == number) and (not open_only or order.is_open)
        ]

    def fills(self, number: str | None = None) -> list[Fill]:
        """Executions, oldest first."""
        return [fill for fill in self._fills if number is None or fill.account == number]

    def drain_events(self) -> list[OrderEvent]:
        """Events collected since the last call, oldest first (the realtime layer turns them into notices)."""
        events, self._events = self._events, []
        return events

    def buying_power(self, number: str, symbol: str, price: Decimal, *, market: str | None = None) -> int:
        """Most shares ``available`` cash buys at ``price`` including commission, in whole lots."""
        account = self.account(number)
        instrument = self._instrument(symbol, market)
        unit = price * (1 + self.fees.commission_rate(instrument))
        if unit <= 0:
            return 0
        lots = int(account.available(instrument.currency) / unit) // instrument.lot_size
        return max(lots, 0) * instrument.lot_size

    # ------------------------------------------------------------------------------------------------ placing

    def _instrument(self, symbol: str, market: str | None) -> Instrument:
        instrument = self.market.instrument(symbol, market)
        if instrument is None:
            raise _reject(_NO_SYMBOL, symbol)
        return instrument

    def _now(self) -> datetime:
        return self.market.clock.now().astimezone(UTC)

    def _new_order_no(self) -> str:
        number = self._next_order
        self._next_order += 1
        return f"{number:010d}"

    def place(
        self,
        number: str,
        symbol: str,
        side: str,
        qty: int,
        price: Decimal | int | str = 0,
        ord_dvsn: str = "00",
        *,
        market: str | None = None,
        exchange: str = "KRX",
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> Order:
        """Place a new order and return it (``ODNO``, branch, ``ORD_TMD``). Raises ``EngineReject``.

        ``side`` is ``"buy"``/``"sell"``; ``ord_dvsn`` is the KIS order type (PROTOCOL §10, §15). ``start``/
        ``end`` bound TWAP/VWAP orders (default: now until the regular close).
        """
        now = self._now()
        self._match(now)
        account = self.account(number)
        instrument = self._instrument(symbol, market)
        price = Decimal(str(price))
        if side not in (BUY, SELL):
            raise ValueError(f"side must be 'buy' or 'sell', got {side!r}")
        try:
            order = self._validate(account, instrument, side, qty, price, ord_dvsn, now, exchange, start, end)
        except EngineReject as error:
            self._emit_reject(number, instrument, side, ord_dvsn, qty, price, now, error)
            self._commit()
            raise
        self._accept(account, instrument, order, now)
        self._commit()
        return order

    def _session(self, instrument: Instrument, now: datetime) -> str:
        return self.market.session(instrument.market, now)

    def _validate(
        self,
        account: Account,
        instrument: Instrument,
        side: str,
        qty: int,
        price: Decimal,
        ord_dvsn: str,
        now: datetime,
        exchange: str,
        start: datetime | None,
        end: datetime | None,
    ) -> Order:
        if instrument.halted:
            raise _reject(_HALTED, instrument.symbol)
        if qty <= 0:
            raise _reject(_BAD_QTY, str(qty))
        if qty % instrument.lot_size:
            raise _reject(_BAD_LOT, f"{instrument.lot_size}")
        session = self._session(instrument, now)
        always = self.market.always_open
        local = now.astimezone(instrument.timezone)
        day = local.date()
        tif = "day"
        pricing: str
        expires: datetime | None
        if instrument.domestic:
            spec = _DOMESTIC_TYPES.get(ord_dvsn)
            if spec is None:
                raise _reject(_BAD_TYPE, ord_dvsn)
            pricing, tif, wanted = spec
            if not always:
                allowed = {
                    "regular": {"regular", "opening_auction", "pre"},
                    "pre": {"pre"},
                    "post": {"post"},
                    "single": {"after_market"},
                    "after_market": {"after_market"},
                }[wanted]
                if session not in allowed or (wanted == "single" and local.hour >= 18):
                    raise _reject(_CLOSED, session)
                if wanted == "regular" and session != "regular" and pricing not in ("limit",):
                    raise _reject(_CLOSED, f"{session}: limit orders only")
            expires = {
                "regular": _kst_at(day, 15, 30),
                "pre": _kst_at(day, 8, 40),
                "post": _kst_at(day, 16, 0),
                "single": _kst_at(day, 18, 0),
                "after_market": _kst_at(day, 20, 0),
            }[wanted]
        elif instrument.us:
            us_type = _US_TYPES.get(ord_dvsn)
            if us_type is None or (side == BUY and ord_dvsn in _US_SELL_ONLY):
                raise _reject(_BAD_TYPE, ord_dvsn)
            pricing = us_type
            if not always:
                if session == "closed" or (session == "daytime" and ord_dvsn != "00"):
                    raise _reject(_CLOSED, session)
                if pricing in ("moo", "loo") and session not in ("pre", "daytime"):
                    raise _reject(_CLOSED, f"{session}: opening orders are taken before the open")
                if pricing in ("moc", "loc", "twap", "vwap") and session not in ("pre", "regular"):
                    raise _reject(_CLOSED, session)
            if session == "daytime":
                expires = _kst_at(now.astimezone(_SEOUL).date(), 16, 0)
            else:
                expires = datetime.combine(day, time(20, 0), tzinfo=instrument.timezone).astimezone(UTC)
        else:
            if ord_dvsn != "00":
                raise _reject(_BAD_TYPE, ord_dvsn)
            pricing = "limit"
            if not always and session in ("closed", "post"):
                raise _reject(_CLOSED, session)
            expires = datetime.combine(day, time(23, 59), tzinfo=instrument.timezone).astimezone(UTC)
        if always:
            expires = datetime.combine(day + timedelta(days=1), time(0), tzinfo=instrument.timezone).astimezone(UTC)
        quote = self.market.quote_at(instrument, now)
        if pricing in _PRICED or (pricing in ("twap", "vwap") and price > 0):
            if price <= 0 or not self.market.on_tick(instrument, price):
                raise _reject(_BAD_TICK, str(price))
            if quote.upper_limit and not (quote.lower_limit <= price <= quote.upper_limit):
                raise _reject(_OUT_OF_LIMIT, f"{quote.lower_limit}~{quote.upper_limit}")
            # After-hours single price: within ±10 % of today's close (KRX rule).
            near_close = quote.price * Decimal("0.9") <= price <= quote.price * Decimal("1.1")
            if pricing == "single" and not always and not near_close:
                raise _reject(_OUT_OF_LIMIT, "±10% of the close")
        else:
            price = Decimal(0) if pricing not in ("twap", "vwap") else price
        # What a buy ties up: the limit, else the upper limit (KIS prices market buys at the upper limit).
        if price > 0:
            reserve_price = price
        elif quote.upper_limit:
            reserve_price = quote.upper_limit
        else:
            reserve_price = self.market.round_price(instrument, quote.price * Decimal("1.3"), "up")
        if pricing == "prev_close":
            reserve_price = quote.prev_close
        if side == BUY:
            need = self._reserve_amount(instrument, qty, reserve_price, day)
            if account.available(instrument.currency) < need:
                raise _reject(_NO_CASH, f"{need} {instrument.currency}")
        else:
            position = account.position(instrument.symbol, instrument.market)
            if position is None or position.sellable < qty:
                raise _reject(_NO_QTY, f"sellable {position.sellable if position else 0}")
        window_start = window_end = None
        if pricing in ("twap", "vwap"):
            window_start = start or now
            close_at = self._regular_close(instrument, day)
            window_end = end or close_at or expires
            if window_end <= window_start:
                raise _reject(_BAD_TYPE, "empty TWAP/VWAP window")
        self._seq += 1
        return Order(
            order_no=self._new_order_no(),
            branch=self.branch,
            account=account.number,
            symbol=instrument.symbol,
            market=instrument.market,
            currency=instrument.currency,
            side=side,
            ord_dvsn=ord_dvsn,
            qty=qty,
            price=price,
            time=now,
            seq=self._seq,
            exchange=exchange,
            tif=tif,
            reserve_price=reserve_price,
            expires=expires,
            window_start=window_start,
            window_end=window_end,
        )

    def _regular_close(self, instrument: Instrument, day: date) -> datetime | None:
        """End of ``day``'s regular session (local), found by scanning the session table minute by minute."""
        zone = instrument.timezone
        last = None
        probe = datetime.combine(day, time(0), tzinfo=zone)
        for minute in range(0, 24 * 60, 5):
            at = probe + timedelta(minutes=minute)
            if self.market.session(instrument.market, at) == "regular":
                last = at
        return None if last is None else (last + timedelta(minutes=5)).astimezone(UTC)

    def _reserve_amount(self, instrument: Instrument, qty: int, price: Decimal, day: date) -> Decimal:
        rate = self.fees.commission_rate(instrument) + self.fees.tax_rate(instrument, BUY, day)
        gross = qty * price
        return gross + _money(gross * rate, instrument.currency) + _MINOR.get(instrument.currency, Decimal("0.01"))

    def _accept(self, account: Account, instrument: Instrument, order: Order, now: datetime) -> None:
        self._orders[order.order_no] = order
        self._dirty_orders.add(order.order_no)
        self._dirty_accounts.add(account.number)
        if order.side == BUY:
            order.reserved = self._reserve_amount(instrument, order.qty, order.reserve_price, now.date())
            account.reserved[order.currency] = account.reserved.get(order.currency, Decimal(0)) + order.reserved
        else:
            position = account.positions[(instrument.market, instrument.symbol)]
            position.committed += order.qty
        self._emit("acknowledged", order, now, message=MSG_ACCEPTED[1])
        self._open.setdefault((order.market, order.symbol), []).append(order)
        # ``place`` matched every resting order up to ``now``; the new one must not see earlier prices.
        self._last_match[(order.market, order.symbol)] = now
        self._execute_on_entry(instrument, order, now)

    def _execute_on_entry(self, instrument: Instrument, order: Order, now: datetime) -> None:
        """Immediate execution of a new (or re-priced) order; handles IOC/FOK remainders."""
        pricing = self._pricing(instrument, order)
        quote = self.market.quote_at(instrument, now)
        if instrument.domestic and quote.session in ("pre", "opening_auction") and pricing == "limit":
            return  # queued for the opening; fills once the regular session trades through it
        if pricing in ("moo", "loo", "moc", "loc", "twap", "vwap", "single"):
            if pricing == "single" and self._crosses(order, quote.price):
                self._fill(order, order.qty - order.filled_qty, quote.price, now)
            return
        if pricing == "prev_close":
            self._fill(order, order.remaining, quote.prev_close, now)
            return
        if pricing == "close":
            self._fill(order, order.remaining, quote.price, now)
            return
        book = self.market.orderbook(order.symbol, order.market)
        opposite = book.asks if order.side == BUY else book.bids
        same = book.bids if order.side == BUY else book.asks
        if pricing == "mid":
            if book.asks and book.bids:
                mid = (book.asks[0].price + book.bids[0].price) / 2
                depth = min(book.asks[0].qty, book.bids[0].qty)
                available = depth - self._taken_at(order, book.time, mid)
                qty = min(order.remaining, max(available, 0))
                if order.tif == "fok" and qty < order.remaining:
                    qty = 0
                if qty:
                    self._take(order, book.time, mid, qty)
                    self._fill(order, qty, mid, now)
        else:
            if pricing == "best" and order.price == 0:
                order.price = opposite[0].price if opposite else (same[0].price if same else quote.price)
            elif pricing == "priority" and order.price == 0:
                order.price = same[0].price if same else quote.price
            levels = opposite[:1] if pricing == "best" else opposite
            plan = self._plan(order, book.time, levels)
            if order.tif == "fok" and sum(qty for _, qty in plan) < order.remaining:
                plan = []
            for level_price, qty in plan:
                self._take(order, book.time, level_price, qty)
                self._fill(order, qty, level_price, now)
            if pricing == "market" and order.remaining and plan:
                # A market order's unfilled rest stays as a limit at the worst price it reached.
                order.price = plan[-1][0]
            elif pricing == "market" and order.remaining:
                order.price = quote.upper_limit if order.side == BUY else quote.lower_limit
                if not order.price:
                    order.price = quote.price
        if order.remaining and order.tif in ("ioc", "fok"):
            reason = "IOC remainder" if order.tif == "ioc" else "FOK not fillable"
            self._cancel_rest(order, now, reason)

    def _pricing(self, instrument: Instrument, order: Order) -> str:
        if instrument.domestic:
            return _DOMESTIC_TYPES[order.ord_dvsn][0]
        if instrument.us:
            return _US_TYPES[order.ord_dvsn]
        return "limit"

    @staticmethod
    def _crosses(order: Order, price: Decimal) -> bool:
        if order.price == 0:
            return True
        return price <= order.price if order.side == BUY else price >= order.price

    def _taken_at(self, order: Order, stamp: datetime, price: Decimal) -> int:
        entry = self._taken.get((order.market, order.symbol))
        if entry is None or entry[0] != stamp:
            return 0
        return entry[1].get(price, 0)

    def _take(self, order: Order, stamp: datetime, price: Decimal, qty: int) -> None:
        key = (order.market, order.symbol)
        entry = self._taken.get(key)
        if entry is None or entry[0] != stamp:
            entry = (stamp, {})
            self._taken[key] = entry
        entry[1][price] = entry[1].get(price, 0) + qty

    def _plan(self, order: Order, stamp: datetime, levels: Sequence[BookLevel]) -> list[tuple[Decimal, int]]:
        """(price, qty) to take from the displayed ``levels`` within the order's limit."""
        plan: list[tuple[Decimal, int]] = []
        left = order.remaining
        for level in levels:
            if left <= 0:
                break
            if order.price and not self._crosses(order, level.price):
                break
            free = level.qty - self._taken_at(order, stamp, level.price)
            qty = min(left, free)
            if qty > 0:
                plan.append((level.price, qty))
                left -= qty
        return plan

    # ------------------------------------------------------------------------------------------------ fills

    def _fill(self, order: Order, qty: int, price: Decimal, now: datetime) -> None:
        if qty <= 0:
            return
        account = self._accounts[order.account]
        instrument = self._instrument(order.symbol, order.market)
        currency = order.currency
        day = now.astimezone(instrument.timezone).date()
        amount = qty * price
        fee = _money(amount * self.fees.commission_rate(instrument), currency)
        tax = _money(amount * self.fees.tax_rate(instrument, order.side, day), currency)
        key = (order.market, order.symbol)
        position = account.positions.get(key)
        if position is None:
            position = account.positions[key] = Position(order.symbol, order.market, currency)
        zero = Decimal(0)
        realized = zero
        if order.side == BUY:
            # Release this slice's share of the reservation, then pay the actual cost.
            self._unreserve(account, order, qty, order.remaining)
            account.cash[currency] = account.cash.get(currency, zero) - amount - fee - tax
            total = position.qty + qty
            position.avg_price = ((position.avg_price * position.qty + amount) / total).quantize(Decimal("0.0001"))
            position.qty = total
        else:
            account.cash[currency] = account.cash.get(currency, zero) + amount - fee - tax
            realized = (price - position.avg_price) * qty
            account.realized[currency] = account.realized.get(currency, zero) + realized
            position.qty -= qty
            position.committed -= qty
            if position.qty == 0 and position.committed == 0:
                del account.positions[key]
        account.fees[currency] = account.fees.get(currency, zero) + fee
        account.taxes[currency] = account.taxes.get(currency, zero) + tax
        order.filled_qty += qty
        order.filled_amount += amount
        if order.remaining == 0:
            order.status = "filled"
            self._close(order)
        fill = Fill(
            self._next_fill,
            order.order_no,
            order.account,
            order.symbol,
            order.market,
            order.side,
            qty,
            price,
            amount,
            fee,
            tax,
            now,
            realized,
        )
        self._next_fill += 1
        self._fills.append(fill)
        self._new_fills.append(fill)
        self._dirty_orders.add(order.order_no)
        self._dirty_accounts.add(order.account)
        self._emit("filled", order, now, fill_qty=qty, fill_price=price)

    def _close(self, order: Order) -> None:
        entries = self._open.get((order.market, order.symbol))
        if entries is not None and order in entries:
            entries.remove(order)

    def _release(self, order: Order, qty: int, now: datetime) -> None:
        """Give back the cash or shares ``qty`` unfilled shares of ``order`` tied up."""
        account = self._accounts[order.account]
        if order.side == BUY:
            self._unreserve(account, order, qty, order.remaining + qty)
        else:
            position = account.positions.get((order.market, order.symbol))
            if position is not None:
                position.committed -= qty
                if position.qty == 0 and position.committed == 0:
                    del account.positions[(order.market, order.symbol)]
        self._dirty_accounts.add(order.account)

    @staticmethod
    def _unreserve(account: Account, order: Order, qty: int, before: int) -> None:
        """Release the reservation of ``qty`` of the ``before`` shares that were still working."""
        released = order.reserved if qty >= before else _money(order.reserved * qty / before, order.currency)
        order.reserved -= released
        account.reserved[order.currency] = account.reserved.get(order.currency, Decimal(0)) - released

    def _cancel_rest(self, order: Order, now: datetime, reason: str) -> None:
        qty = order.remaining
        if qty <= 0:
            return
        order.cancelled_qty += qty
        order.status = "cancelled"
        self._release(order, qty, now)
        self._close(order)
        self._dirty_orders.add(order.order_no)
        self._emit("cancelled", order, now, message=reason, cancelled_qty=qty)

    # ------------------------------------------------------------------------------------------------ modify/cancel

    def _original(self, number: str, order_no: str) -> Order:
        original = self._orders.get(order_no.zfill(10))
        if original is None or original.account != number or original.kind == "cancel":
            raise _reject(_NO_ORDER, order_no)
        return original

    def modify(
        self,
        number: str,
        order_no: str,
        *,
        price: Decimal | int | str | None = None,
        qty: int | None = None,
        all_qty: bool = True,
        ord_dvsn: str | None = None,
    ) -> Order:
        """Modify (정정) an open order: a new order for the moved quantity at the new price (TTTC0013U, 01).

        With ``all_qty`` the whole remaining quantity moves; otherwise ``qty`` shares of it. Raises
        ``EngineReject`` (``APBK0927``) if nothing is left, e.g. when the original filled in the meantime.
        """
        now = self._now()
        self._match(now)
        original = self._original(number, order_no)
        instrument = self._instrument(original.symbol, original.market)
        try:
            if not original.is_open:
                raise _reject(_NOTHING_LEFT, original.status)
            moved = original.remaining if all_qty else (qty or 0)
            if moved <= 0 or moved > original.remaining:
                raise _reject(_TOO_MUCH, f"remaining {original.remaining}")
            if moved % instrument.lot_size:
                raise _reject(_BAD_LOT, str(instrument.lot_size))
            new_price = original.price if price is None else Decimal(str(price))
            dvsn = ord_dvsn or original.ord_dvsn
            pricing = self._pricing(instrument, original) if dvsn == original.ord_dvsn else "limit"
            if pricing in _PRICED:
                quote = self.market.quote_at(instrument, now)
                if new_price <= 0 or not self.market.on_tick(instrument, new_price):
                    raise _reject(_BAD_TICK, str(new_price))
                if quote.upper_limit and not (quote.lower_limit <= new_price <= quote.upper_limit):
                    raise _reject(_OUT_OF_LIMIT, f"{quote.lower_limit}~{quote.upper_limit}")
            account = self._accounts[number]
            day = now.astimezone(instrument.timezone).date()
            if original.side == BUY and new_price > original.reserve_price:
                extra = self._reserve_amount(instrument, moved, new_price, day) - self._reserve_amount(
                    instrument, moved, original.reserve_price, day
                )
                if account.available(original.currency) < extra:
                    raise _reject(_NO_CASH, f"{extra} {original.currency}")
        except EngineReject as error:
            self._emit_reject(
                number,
                instrument,
                original.side,
                original.ord_dvsn,
                qty or 0,
                Decimal(str(price or 0)),
                now,
                error,
                original=original.order_no,
            )
            self._commit()
            raise
        # Move ``moved`` shares: release them from the original, then reserve them on the new order.
        original.cancelled_qty += moved
        self._release(original, moved, now)
        if original.remaining == 0:
            original.status = "modified"
            self._close(original)
        self._dirty_orders.add(original.order_no)
        keeps_priority = new_price == original.price
        if not keeps_priority:
            self._seq += 1
        replacement = Order(
            order_no=self._new_order_no(),
            branch=self.branch,
            account=number,
            symbol=original.symbol,
            market=original.market,
            currency=original.currency,
            side=original.side,
            ord_dvsn=dvsn,
            qty=moved,
            price=new_price,
            time=now,
            seq=original.seq if keeps_priority else self._seq,
            kind="modify",
            original_order_no=original.order_no,
            exchange=original.exchange,
            tif=original.tif,
            reserve_price=new_price if new_price > 0 else original.reserve_price,
            expires=original.expires,
            window_start=original.window_start,
            window_end=original.window_end,
        )
        self._orders[replacement.order_no] = replacement
        self._dirty_orders.add(replacement.order_no)
        account = self._accounts[number]
        if replacement.side == BUY:
            replacement.reserved = self._reserve_amount(instrument, moved, replacement.reserve_price, now.date())
            reserved = account.reserved.get(replacement.currency, Decimal(0))
            account.reserved[replacement.currency] = reserved + replacement.reserved
        else:
            account.positions[(replacement.market, replacement.symbol)].committed += moved
        self._open.setdefault((replacement.market, replacement.symbol), []).append(replacement)
        self._emit("modified", replacement, now, message=MSG_ACCEPTED[1])
        self._execute_on_entry(instrument, replacement, now)
        self._commit()
        return replacement

    def cancel(self, number: str, order_no: str, *, qty: int | None = None, all_qty: bool = True) -> Order:
        """Cancel (취소) all or ``qty`` shares of an open order; returns the cancel record (a new order number).

        Raises ``EngineReject`` (``APBK0927``) if nothing is left, e.g. the order filled in the meantime.
        """
        now = self._now()
        self._match(now)
        original = self._original(number, order_no)
        instrument = self._instrument(original.symbol, original.market)
        try:
            if not original.is_open:
                raise _reject(_NOTHING_LEFT, original.status)
            cancelled = original.remaining if all_qty else (qty or 0)
            if cancelled <= 0 or cancelled > original.remaining:
                raise _reject(_TOO_MUCH, f"remaining {original.remaining}")
        except EngineReject as error:
            self._emit_reject(
                number,
                instrument,
                original.side,
                original.ord_dvsn,
                qty or 0,
                Decimal(0),
                now,
                error,
                original=original.order_no,
            )
            self._commit()
            raise
        original.cancelled_qty += cancelled
        self._release(original, cancelled, now)
        if original.remaining == 0:
            original.status = "cancelled"
            self._close(original)
        self._dirty_orders.add(original.order_no)
        record = Order(
            order_no=self._new_order_no(),
            branch=self.branch,
            account=number,
            symbol=original.symbol,
            market=original.market,
            currency=original.currency,
            side=original.side,
            ord_dvsn=original.ord_dvsn,
            qty=cancelled,
            price=original.price,
            time=now,
            seq=original.seq,
            kind="cancel",
            original_order_no=original.order_no,
            exchange=original.exchange,
            status="done",
        )
        self._orders[record.order_no] = record
        self._dirty_orders.add(record.order_no)
        self._emit("cancelled", record, now, message=MSG_ACCEPTED[1], cancelled_qty=cancelled)
        self._commit()
        return record

    # ------------------------------------------------------------------------------------------------ matching

    def match(self, now: datetime | None = None) -> list[OrderEvent]:
        """Advance resting orders to ``now`` (default: the market clock); returns the events this step produced.

        The events stay queued for ``drain_events`` as well.
        """
        before = len(self._events)
        self._match(self._now() if now is None else now.astimezone(UTC))
        self._commit()
        return self._events[before:]

    advance = match

    def _match(self, now: datetime) -> None:
        for key, entries in list(self._open.items()):
            if not entries:
                continue
            since = self._last_match.get(key, now)
            if now <= since:
                continue
            self._last_match[key] = now
            instrument = self._instrument(key[1], key[0])
            self._match_symbol(instrument, sorted(entries, key=self._priority), since, now)

    @staticmethod
    def _priority(order: Order) -> tuple[int, Decimal, int]:
        # Buys: higher price first; sells: lower price first; then time (seq).
        return (0 if order.side == BUY else 1, -order.price if order.side == BUY else order.price, order.seq)

    def _match_symbol(self, instrument: Instrument, orders: list[Order], since: datetime, now: datetime) -> None:
        market = self.market
        span_end = now
        expiring = [order for order in orders if order.expires is not None and order.expires <= now]
        if expiring:
            span_end = max(min(order.expires for order in expiring if order.expires is not None), since)
        traded = market.traded_range(instrument, since, span_end)
        budget: dict[Decimal, int] = {}
        quote = market.quote_at(instrument, span_end)
        for order in orders:
            if not order.is_open:
                continue
            pricing = self._pricing(instrument, order)
            if pricing in ("moo", "loo"):
                if quote.trading_day >= order.time.astimezone(instrument.timezone).date() and quote.volume > 0:
                    if pricing == "moo" or self._crosses(order, quote.open):
                        self._fill(order, order.remaining, quote.open, span_end)
                    else:
                        self._cancel_rest(order, span_end, "LOO not marketable at the open")
                continue
            if pricing in ("moc", "loc"):
                close_at = self._regular_close(instrument, order.time.astimezone(instrument.timezone).date())
                if close_at is not None and span_end >= close_at:
                    final = market.quote_at(instrument, close_at)
                    if pricing == "moc" or self._crosses(order, final.price):
                        self._fill(order, order.remaining, final.price, close_at)
                    else:
                        self._cancel_rest(order, close_at, "LOC not marketable at the close")
                continue
            if pricing in ("twap", "vwap"):
                self._slice(instrument, order, quote.price, span_end)
                continue
            if pricing == "single":
                if self._crosses(order, quote.price):
                    self._fill(order, order.remaining, quote.price, span_end)
                continue
            if pricing == "mid":
                if traded is not None and traded.volume > 0 and quote.ask and quote.bid:
                    mid = (quote.ask + quote.bid) / 2
                    self._fill(
                        order, min(order.remaining, max(instrument.lot_size, traded.volume // 10)), mid, span_end
                    )
                continue
            if traded is None or order.price <= 0:
                continue
            through = traded.low < order.price if order.side == BUY else traded.high > order.price
            touched = traded.low <= order.price if order.side == BUY else traded.high >= order.price
            if through:
                self._fill(order, order.remaining, order.price, span_end)
            elif touched:
                left = budget.setdefault(order.price, max(instrument.lot_size, traded.volume // 10))
                qty = min(order.remaining, left // instrument.lot_size * instrument.lot_size)
                if qty > 0:
                    budget[order.price] = left - qty
                    self._fill(order, qty, order.price, span_end)
        for order in expiring:
            if order.is_open and order.expires is not None and order.expires <= span_end:
                self._cancel_rest(order, order.expires, "expired")
        if span_end < now:
            self._last_match[(instrument.market, instrument.symbol)] = span_end
            remaining = [order for order in orders if order.is_open]
            if remaining:
                self._match_symbol(instrument, sorted(remaining, key=self._priority), span_end, now)
            self._last_match[(instrument.market, instrument.symbol)] = now

    def _slice(self, instrument: Instrument, order: Order, price: Decimal, now: datetime) -> None:
        start, end = order.window_start, order.window_end
        if start is None or end is None or now < start:
            return
        fraction = min(Decimal(1), Decimal((now - start).total_seconds()) / Decimal((end - start).total_seconds()))
        lot = instrument.lot_size
        target = int(order.qty * fraction) // lot * lot
        qty = min(order.remaining, target - order.filled_qty)
        if qty > 0 and (order.price == 0 or self._crosses(order, price)):
            self._fill(order, qty, price, now)
        if now >= end and order.remaining:
            self._cancel_rest(order, end, "window over")

    # ------------------------------------------------------------------------------------------------ events & journal

    def _emit(
        self,
        kind: str,
        order: Order,
        now: datetime,
        *,
        fill_qty: int = 0,
        fill_price: Decimal = Decimal(0),
        cancelled_qty: int = 0,
        message: str = "",
    ) -> None:
        self._events.append(
            OrderEvent(
                kind=kind,
                account=order.account,
                order_no=order.order_no,
                original_order_no=order.original_order_no,
                branch=order.branch,
                symbol=order.symbol,
                market=order.market,
                side=order.side,
                ord_dvsn=order.ord_dvsn,
                order_qty=order.qty,
                order_price=order.price,
                fill_qty=fill_qty,
                fill_price=fill_price,
                filled_qty=order.filled_qty,
                remaining=order.remaining,
                time=now,
                cancelled_qty=cancelled_qty,
                message=message,
            )
        )

    def _emit_reject(
        self,
        number: str,
        instrument: Instrument,
        side: str,
        ord_dvsn: str,
        qty: int,
        price: Decimal,
        now: datetime,
        error: EngineReject,
        *,
        original: str = "",
    ) -> None:
        self._events.append(
            OrderEvent(
                "rejected",
                number,
                "",
                original,
                self.branch,
                instrument.symbol,
                instrument.market,
                side,
                ord_dvsn,
                qty,
                price,
                0,
                Decimal(0),
                0,
                0,
                now,
                0,
                f"{error.code} {error.message}",
            )
        )

    def _commit(self) -> None:
        if self._journal is None:
            self._dirty_accounts.clear()
            self._dirty_orders.clear()
            self._new_fills.clear()
            return
        if not (self._dirty_accounts or self._dirty_orders or self._new_fills):
            return
        self._journal.write(
            [self._accounts[number] for number in sorted(self._dirty_accounts)],
            [self._orders[number] for number in sorted(self._dirty_orders)],
            list(self._new_fills),
            {"order_no": self._next_order, "fill_no": self._next_fill, "seq": self._seq},
        )
        self._dirty_accounts.clear()
        self._dirty_orders.clear()
        self._new_fills.clear()

"""The emulator's instrument universe: real-looking KRX, US, Hong Kong, China, Japan and Vietnam listings.

``UNIVERSE`` holds a curated set of well-known symbols with prices near their real levels, followed by a
deterministic filler set of domestic stocks and ETFs so that batch benchmarks can ask for a few hundred distinct
domestic symbols. Prices here are only anchors: the simulated market (``market.py``) moves around them.

Exchange codes follow PROTOCOL §9: ``excd`` is the 3-letter quote code (NAS, NYS, …), ``ovrs_excg_cd`` the
4-letter trading code (NASD, NYSE, …), ``prdt_type_cd`` the product type code (512 NASDAQ, 300 domestic stock, …).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo

__all__ = [
    "DOMESTIC_MARKETS",
    "MARKETS",
    "UNIVERSE",
    "US_MARKETS",
    "Instrument",
    "isin_check_digit",
    "market_timezone",
]

DOMESTIC_MARKETS: frozenset[str] = frozenset({"KOSPI", "KOSDAQ"})
"""Instrument markets traded on KRX (and NXT)."""

US_MARKETS: frozenset[str] = frozenset({"NASDAQ", "NYSE", "AMEX"})
"""Instrument markets of the United States."""

# market -> (excd, ovrs_excg_cd, prdt_type_cd, time zone, currency)
_MARKET_CODES: dict[str, tuple[str | None, str | None, str, str, str]] = {
    "KOSPI": (None, None, "300", "Asia/Seoul", "KRW"),
    "KOSDAQ": (None, None, "300", "Asia/Seoul", "KRW"),
    "NASDAQ": ("NAS", "NASD", "512", "America/New_York", "USD"),
    "NYSE": ("NYS", "NYSE", "513", "America/New_York", "USD"),
    "AMEX": ("AMS", "AMEX", "529", "America/New_York", "USD"),
    "SEHK": ("HKS", "SEHK", "501", "Asia/Hong_Kong", "HKD"),
    "SSE": ("SHS", "SHAA", "551", "Asia/Shanghai", "CNY"),
    "SZSE": ("SZS", "SZAA", "552", "Asia/Shanghai", "CNY"),
    "TSE": ("TSE", "TKSE", "515", "Asia/Tokyo", "JPY"),
    "HNX": ("HNX", "HASE", "507", "Asia/Ho_Chi_Minh", "VND"),
    "HSX": ("HSX", "VNSE", "508", "Asia/Ho_Chi_Minh", "VND"),
}

MARKETS: tuple[str, ...] = tuple(_MARKET_CODES)
"""Every instrument market the emulator knows."""


@cache
def market_timezone(market: str) -> ZoneInfo:
    """The local time zone of an instrument market (``"KOSPI"``, ``"NASDAQ"``, …)."""
    return ZoneInfo(_MARKET_CODES[market][3])


def isin_check_digit(body: str) -> str:
    """The ISIN check digit of an 11-character ISIN body (Luhn over letters expanded to two digits)."""
    digits = "".join(str(int(char, 36)) for char in body)
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


@dataclass(frozen=True, slots=True)
class Instrument:
    """One listed security as KIS describes it."""

    symbol: str
    """Short code as KIS uses it: ``"005930"``, ``"NVDA"``, ``"00700"``, ``"600519"``, ``"7203"``, ``"VNM"``."""
    name: str
    """Korean name (``"삼성전자"``, ``"엔비디아"``)."""
    english_name: str
    market: str
    """``KOSPI``, ``KOSDAQ``, ``NASDAQ``, ``NYSE``, ``AMEX``, ``SEHK``, ``SSE``, ``SZSE``, ``TSE``, ``HNX``, ``HSX``."""
    kind: str
    """``stock``, ``etf`` or ``etn``."""
    currency: str
    lot_size: int
    base_price: Decimal
    """Anchor price; the simulation wanders around it."""
    listed_shares: int
    sector_name: str | None
    """Sector (``bstp_kor_isnm``); ``None`` where KIS omits it (e.g. 002170)."""
    halted: bool = False

    def __post_init__(self) -> None:
        if self.market not in _MARKET_CODES:
            raise ValueError(f"unknown market {self.market!r}")
        if self.kind not in ("stock", "etf", "etn"):
            raise ValueError(f"unknown kind {self.kind!r}")
        if self.currency != _MARKET_CODES[self.market][4]:
            raise ValueError(f"{self.symbol}: currency {self.currency} does not match market {self.market}")
        if self.lot_size < 1 or self.base_price <= 0 or self.listed_shares < 1:
            raise ValueError(f"{self.symbol}: lot size, base price and listed shares must be positive")

    @property
    def domestic(self) -> bool:
        """True for KOSPI and KOSDAQ listings."""
        return self.market in DOMESTIC_MARKETS

    @property
    def us(self) -> bool:
        """True for NASDAQ, NYSE and AMEX listings."""
        return self.market in US_MARKETS

    @property
    def excd(self) -> str | None:
        """3-letter overseas quote exchange code (``NAS``, ``NYS``, ``HKS``, …); ``None`` for domestic."""
        return _MARKET_CODES[self.market][0]

    @property
    def ovrs_excg_cd(self) -> str | None:
        """4-letter overseas trading exchange code (``NASD``, ``SEHK``, ``TKSE``, …); ``None`` for domestic."""
        return _MARKET_CODES[self.market][1]

    @property
    def prdt_type_cd(self) -> str:
        """Product type code (PROTOCOL §9): ``512`` NASDAQ, ``513`` NYSE, …, ``300`` domestic."""
        return _MARKET_CODES[self.market][2]

    @property
    def timezone(self) -> ZoneInfo:
        """The listing market's local time zone."""
        return market_timezone(self.market)

    @property
    def isin(self) -> str | None:
        """Standard code for domestic listings (``KR7005930003``); ``None`` for overseas ones."""
        if not self.domestic:
            return None
        body = f"KR7{self.symbol}00"
        return body + isin_check_digit(body)

    @property
    def quote_code(self) -> str:
        """The code domestic quote APIs expect: ETNs carry a ``Q`` prefix (PROTOCOL §9)."""
        return f"Q{self.symbol}" if self.kind == "etn" else self.symbol


def _krx(
    symbol: str,
    names: tuple[str, str],
    size: tuple[int, int],
    sector: str | None,
    *,
    market: str = "KOSPI",
    kind: str = "stock",
    halted: bool = False,
) -> Instrument:
    """A KRX listing; ``names`` is (Korean, English), ``size`` (base price in won, listed shares)."""
    name, english = names
    price, shares = size
    return Instrument(symbol, name, english, market, kind, "KRW", 1, Decimal(price), shares, sector, halted)


def _abroad(
    symbol: str,
    names: tuple[str, str],
    market: str,
    size: tuple[str, int],
    sector: str | None,
    *,
    lot: int = 1,
    kind: str = "stock",
) -> Instrument:
    """An overseas listing; ``names`` is (Korean, English), ``size`` (base price, listed shares)."""
    name, english = names
    price, shares = size
    currency = _MARKET_CODES[market][4]
    return Instrument(symbol, name, english, market, kind, currency, lot, Decimal(price), shares, sector)


_CURATED: tuple[Instrument, ...] = (
    # KOSPI stocks (prices near late-2025 levels)
    _krx("005930", ("삼성전자", "Samsung Electronics"), (100_000, 5_919_637_922), "전기·전자"),
    _krx("000660", ("SK하이닉스", "SK hynix"), (580_000, 728_002_365), "전기·전자"),
    _krx("035720", ("카카오", "Kakao"), (60_000, 442_500_000), "IT 서비스"),
    _krx("005380", ("현대차", "Hyundai Motor"), (260_000, 204_757_766), "운송장비·부품"),
    _krx("035420", ("NAVER", "NAVER"), (250_000, 158_437_008), "IT 서비스"),
    _krx("051910", ("LG화학", "LG Chem"), (330_000, 70_592_343), "화학"),
    _krx("006400", ("삼성SDI", "Samsung SDI"), (300_000, 68_764_530), "전기·전자"),
    _krx("207940", ("삼성바이오로직스", "Samsung Biologics"), (1_650_000, 71_174_000), "제약"),
    _krx("068270", ("셀트리온", "Celltrion"), (180_000, 216_912_708), "제약"),
    _krx("105560", ("KB금융", "KB Financial Group"), (120_000, 381_462_103), "금융"),
    _krx("055550", ("신한지주", "Shinhan Financial Group"), (70_000, 491_495_860), "금융"),
    _krx("012450", ("한화에어로스페이스", "Hanwha Aerospace"), (950_000, 51_563_401), "운송장비·부품"),
    _krx("002170", ("삼양통상", "Samyang Tongsang"), (48_000, 3_000_000), None),
    _krx("002450", ("삼익악기", "Samick Musical Instruments"), (1_250, 83_000_000), None),
    _krx("024810", ("이화전기", "Ewha Electric"), (300, 180_000_000), "전기·전자", halted=True),
    # KOSDAQ stocks
    _krx("247540", ("에코프로비엠", "EcoPro BM"), (150_000, 97_801_344), "전기·전자", market="KOSDAQ"),
    _krx("086520", ("에코프로", "EcoPro"), (100_000, 137_628_690), "금융", market="KOSDAQ"),
    _krx("196170", ("알테오젠", "Alteogen"), (480_000, 53_439_450), "제약", market="KOSDAQ"),
    _krx("028300", ("HLB", "HLB"), (50_000, 131_149_000), "제약", market="KOSDAQ"),
    # ETFs and an ETN
    _krx("069500", ("KODEX 200", "KODEX 200"), (55_000, 200_450_000), None, kind="etf"),
    _krx("102110", ("TIGER 200", "TIGER 200"), (55_100, 80_300_000), None, kind="etf"),
    _krx("122630", ("KODEX 레버리지", "KODEX Leverage"), (40_000, 120_000_000), None, kind="etf"),
    _krx("252670", ("KODEX 200선물인버스2X", "KODEX 200 Futures Inverse 2X"), (1_020, 900_000_000), None, kind="etf"),
    _krx("360750", ("TIGER 미국S&P500", "TIGER US S&P500"), (24_000, 250_000_000), None, kind="etf"),
    _krx("229200", ("KODEX 코스닥150", "KODEX KOSDAQ150"), (15_500, 60_000_000), None, kind="etf"),
    _krx(
        "530036",
        ("삼성 인버스 2X WTI원유 선물 ETN", "Samsung Inverse 2X WTI Crude Oil Futures ETN"),
        (2_500, 20_000_000),
        None,
        kind="etn",
    ),
    # United States (NYSE Arca listings are reported as AMEX by KIS)
    _abroad("NVDA", ("엔비디아", "NVIDIA Corp"), "NASDAQ", ("180.00", 24_300_000_000), "반도체"),
    _abroad("AAPL", ("애플", "Apple Inc"), "NASDAQ", ("270.00", 14_840_000_000), "하드웨어"),
    _abroad("TSLA", ("테슬라", "Tesla Inc"), "NASDAQ", ("400.00", 3_320_000_000), "자동차"),
    _abroad("MSFT", ("마이크로소프트", "Microsoft Corp"), "NASDAQ", ("500.00", 7_430_000_000), "소프트웨어"),
    _abroad("SENS", ("센세오닉스 홀딩스", "Senseonics Holdings Inc"), "NASDAQ", ("0.5500", 680_000_000), "의료기기"),
    # The ETF the broker's own samples ask about (examples_user/overseas_stock: inquire_psamount item_cd="QQQ").
    _abroad("QQQ", ("인베스코 QQQ 트러스트", "Invesco QQQ Trust"), "NASDAQ", ("600.00", 640_000_000), None, kind="etf"),
    _abroad("KO", ("코카콜라", "Coca-Cola Co"), "NYSE", ("70.00", 4_300_000_000), "음료"),
    _abroad("JPM", ("JP모간 체이스", "JPMorgan Chase & Co"), "NYSE", ("300.00", 2_750_000_000), "은행"),
    _abroad("ORCL", ("오라클", "Oracle Corp"), "NYSE", ("220.00", 2_840_000_000), "소프트웨어"),
    _abroad(
        "SPY",
        ("SPDR S&P500 ETF 트러스트", "SPDR S&P 500 ETF Trust"),
        "AMEX",
        ("660.00", 1_000_000_000),
        None,
        kind="etf",
    ),
    # Asia
    _abroad("00700", ("텐센트", "Tencent Holdings"), "SEHK", ("600.00", 9_170_000_000), "인터넷", lot=100),
    _abroad("600519", ("귀주모태주", "Kweichow Moutai"), "SSE", ("1450.00", 1_256_000_000), "음료", lot=100),
    _abroad("000001", ("평안은행", "Ping An Bank"), "SZSE", ("11.50", 19_405_000_000), "은행", lot=100),
    _abroad("7203", ("도요타자동차", "Toyota Motor Corp"), "TSE", ("3000", 15_794_000_000), "자동차", lot=100),
    _abroad("SHS", ("사이공하노이증권", "Saigon-Hanoi Securities"), "HNX", ("15000", 813_000_000), "증권", lot=100),
    _abroad("VNM", ("비나밀크", "Vinamilk"), "HSX", ("60000", 2_090_000_000), "식품", lot=100),
)

_PREFIXES = (
    "한빛",
    "대성",
    "동양",
    "세진",
    "미래",
    "우진",
    "태평",
    "신영",
    "대한",
    "삼영",
    "한결",
    "새론",
    "청솔",
    "금강",
    "동방",
    "서해",
    "아람",
    "누리",
    "보람",
    "해든",
)
_SUFFIXES = ("전자", "화학", "제약", "건설", "바이오", "테크", "산업", "소재", "정밀", "에너지", "식품", "물산")
_ROMAN = {
    "한빛": "Hanbit",
    "대성": "Daesung",
    "동양": "Dongyang",
    "세진": "Sejin",
    "미래": "Mirae",
    "우진": "Woojin",
    "태평": "Taepyung",
    "신영": "Shinyoung",
    "대한": "Daehan",
    "삼영": "Samyoung",
    "한결": "Hangyeol",
    "새론": "Saeron",
    "청솔": "Cheongsol",
    "금강": "Geumgang",
    "동방": "Dongbang",
    "서해": "Seohae",
    "아람": "Aram",
    "누리": "Nuri",
    "보람": "Boram",
    "해든": "Haeden",
}
_ENGLISH = {
    "전자": "Electronics",
    "화학": "Chemical",
    "제약": "Pharm",
    "건설": "Construction",
    "바이오": "Bio",
    "테크": "Tech",
    "산업": "Industries",
    "소재": "Materials",
    "정밀": "Precision",
    "에너지": "Energy",
    "식품": "Foods",
    "물산": "Corp",
}
_SECTORS = {
    "전자": "전기·전자",
    "화학": "화학",
    "제약": "제약",
    "건설": "건설",
    "바이오": "제약",
    "테크": "IT 서비스",
    "산업": "기계·장비",
    "소재": "비금속",
    "정밀": "의료·정밀기기",
    "에너지": "전기·가스",
    "식품": "음식료·담배",
    "물산": "유통",
}
_ETF_BRANDS = ("KODEX", "TIGER", "ACE", "SOL", "RISE", "PLUS")
_ETF_THEMES = (
    ("반도체", "Semiconductor"),
    ("2차전지", "Secondary Battery"),
    ("고배당", "High Dividend"),
    ("미국나스닥100", "US Nasdaq100"),
    ("단기채권", "Short-term Bond"),
    ("조선", "Shipbuilding"),
    ("방산", "Defense"),
    ("금현물", "Gold Spot"),
)

FILLER_COUNT = 240
"""Number of generated domestic fillers appended to the curated instruments."""


def _filler(index: int) -> Instrument:
    # A small multiplicative hash keeps the filler fixed across runs and independent of the market seed.
    h = (index * 2_654_435_761 + 97) % 4_294_967_291
    symbol = f"{400_010 + index * 10:06d}"
    market = "KOSPI" if index % 3 == 0 else "KOSDAQ"
    if index % 8 == 7:
        brand = _ETF_BRANDS[h % len(_ETF_BRANDS)]
        theme, english = _ETF_THEMES[(h // 7) % len(_ETF_THEMES)]
        price = 5_000 + (h % 60) * 500
        return _krx(
            symbol,
            (f"{brand} {theme} {index:03d}", f"{brand} {english} {index:03d}"),
            (price, 5_000_000 + (h % 50) * 1_000_000),
            None,
            market="KOSPI",
            kind="etf",
        )
    prefix = _PREFIXES[index % len(_PREFIXES)]
    suffix = _SUFFIXES[(index // len(_PREFIXES) + h) % len(_SUFFIXES)]
    # log-uniform-ish price between about 1,000 and 700,000 won, on the 2023 KRX tick grid
    raw = int(1_000 * 700 ** ((h % 1000) / 1000))
    tick = (
        1
        if raw < 2_000
        else 5
        if raw < 5_000
        else 10
        if raw < 20_000
        else 50
        if raw < 50_000
        else (100 if raw < 200_000 else 500 if raw < 500_000 else 1_000)
    )
    price = raw // tick * tick
    shares = 10_000_000 + (h % 190) * 1_000_000
    return _krx(
        symbol,
        (f"{prefix}{suffix}", f"{_ROMAN[prefix]} {_ENGLISH[suffix]}"),
        (price, shares),
        _SECTORS[suffix],
        market=market,
    )


UNIVERSE: tuple[Instrument, ...] = _CURATED + tuple(_filler(index) for index in range(FILLER_COUNT))
"""Curated instruments first, then the deterministic domestic filler."""

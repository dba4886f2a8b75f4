"""CTPF1604R 상품기본조회 (``/uapi/domestic-stock/v1/quotations/search-info``, real only): one product's names
and codes, domestic (``PRDT_TYPE_CD`` 300) or overseas (512 NASDAQ … 552 Shenzhen).

Wire facts and their sources:

* ``output`` is one object, not a list, with the 20 fields of the broker's API documentation (its response
  example: AAPL/512 → ``prdt_clsf_cd`` 101210 해외주식, ``wrap_asst_type_cd`` 06, ``ivst_prdt_type_cd`` 1012,
  ``msg_cd`` KIOK0530 "조회되었습니다"); PROTOCOL.md §16 (user report). It is not paged (``tr_cont`` D).
* python-kis (written against the real service, ``pykis/api/stock/info.py``) reads ``shtn_pdno``,
  ``std_pdno``, ``prdt_abrv_name``, ``prdt_name120``, ``prdt_eng_abrv_name``, ``prdt_eng_name120`` and
  ``prdt_type_cd`` from it, and takes ``rt_cd`` 7 as "no such product" to try the next product type; the
  message of that answer is the service's ``KIOK0560`` "조회할 내용이 없습니다".

*Emulator choices*: domestic ``pdno`` is ``00000A`` + the short code, as CTPF1002R's (the documentation shows
only an overseas example); the domestic classification (주권 / ETF / ETN) is approximate, and 301 (futures
and options) and 302 (bonds) find nothing: the emulator lists no such products.
"""

from __future__ import annotations

from typing import Any

from pykis.emulator.endpoints.market_data_overseas import PRODUCT_MARKETS, standard_code
from pykis.emulator.rest import ApiRequest, ApiResponse, EmulatorContext, EndpointRegistry, business_error, ok

__all__ = ["PRODUCT_INFO", "register"]

PRODUCT_INFO = "/uapi/domestic-stock/v1/quotations/search-info"
PRODUCT_TYPES = frozenset({"300", "301", "302", *PRODUCT_MARKETS})
_FOUND = ("KIOK0530", "조회되었습니다")
_NOTHING = ("KIOK0560", "조회할 내용이 없습니다")
# kind -> (prdt_clsf_cd, prdt_clsf_name, ivst_prdt_type_cd, ivst_prdt_type_cd_name); overseas from the docs.
_DOMESTIC_CLASSES = {
    "stock": ("101110", "주권", "1010", "주식"),
    "etf": ("101140", "ETF", "1010", "주식"),
    "etn": ("101150", "ETN", "1010", "주식"),
}
_OVERSEAS_CLASS = ("101210", "해외주식", "1012", "해외주식")


def _find(ctx: EmulatorContext, code: str, product_type: str) -> Any:
    if product_type == "300":
        symbol = code[1:] if code[:1] in ("Q", "A") and code[1:].isdigit() else code
        instrument = ctx.market.instrument(symbol)
        return instrument if instrument is not None and instrument.domestic else None
    market = PRODUCT_MARKETS.get(product_type)
    if market is None:
        return None
    instrument = ctx.market.instrument(code.upper(), market=market)
    return instrument if instrument is not None and instrument.market == market else None


def product_info(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
    """CTPF1604R: the product of ``PDNO`` and ``PRDT_TYPE_CD``, or ``rt_cd`` 7 when there is none."""
    product_type = request.param("PRDT_TYPE_CD").strip()
    if product_type not in PRODUCT_TYPES:
        return business_error("7", *_NOTHING)
    code = request.param("PDNO").strip()
    instrument = _find(ctx, code, product_type) if code else None
    if instrument is None:
        return business_error("7", *_NOTHING)
    domestic = product_type == "300"
    classes = _DOMESTIC_CLASSES[instrument.kind] if domestic else _OVERSEAS_CLASS
    english = str(instrument.english_name).upper() if not domestic else str(instrument.english_name)
    output = {
        "pdno": f"00000A{instrument.symbol}" if domestic else instrument.symbol,
        "prdt_type_cd": product_type,
        "prdt_name": instrument.name,
        "prdt_name120": instrument.name,
        "prdt_abrv_name": instrument.name,
        "prdt_eng_name": english,
        "prdt_eng_name120": english,
        "prdt_eng_abrv_name": english,
        "std_pdno": standard_code(instrument),
        "shtn_pdno": instrument.symbol,
        "prdt_sale_stat_cd": "",
        "prdt_risk_grad_cd": "",
        "prdt_clsf_cd": classes[0],
        "prdt_clsf_name": classes[1],
        "sale_strt_dt": "",
        "sale_end_dt": "",
        "wrap_asst_type_cd": "01" if domestic else "06",
        "ivst_prdt_type_cd": classes[2],
        "ivst_prdt_type_cd_name": classes[3],
        "frst_erlm_dt": "",
    }
    return ok({"output": output}, msg_cd=_FOUND[0], msg1=_FOUND[1])


def register(registry: EndpointRegistry) -> None:
    """Add CTPF1604R to ``registry``."""
    registry.add(PRODUCT_INFO, product_info)

"""What the code generator (:mod:`pykis.catalog._codegen`) adds to ``rest.json`` for the wire shapes
(:mod:`pykis.wire`): the response columns the catalog lacks or spells otherwise, each with its source, and how the
output blocks the models read arrive. Recorded once here, never as a second hand-written struct."""

from __future__ import annotations

__all__ = ["COLUMN_CORRECTIONS", "READ_BY_MODELS"]

_LEVELS = tuple(
    (f"{column}{level}", f"{label}{level}")
    for level in range(2, 11)
    for column, label in (
        ("pbid", "매수호가가격"),
        ("pask", "매도호가가격"),
        ("vbid", "매수호가잔량"),
        ("vask", "매도호가잔량"),
    )
)

COLUMN_CORRECTIONS: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    # 거래소ID구분코드: the broker's own reader of TTTC0081R (examples_llm/domestic_stock/inquire_daily_ccld/
    # chk_inquire_daily_ccld.py) maps ``excg_id_dvsn_Cd``; its TTTC0084R reader (chk_inquire_psbl_rvsecncl.py)
    # ``excg_id_dvsn_cd``. Keys are case-sensitive on the wire, so the row carries both and readers take either.
    ("domestic_stock", "inquire_daily_ccld"): (("excg_id_dvsn_cd", "거래소ID구분코드 (TTTC0084R's spelling)"),),
    # The order scopes read TTTS3018R (inquire_nccs) rows through TTTS3035R's row: the broker's TTTS3018R reader
    # (examples_llm/overseas_stock/inquire_nccs/chk_inquire_nccs.py) spells 정정취소구분 ``rvse_cncl_dvsn_cd``.
    ("overseas_stock", "inquire_ccnl"): (("rvse_cncl_dvsn_cd", "정정취소구분코드 (TTTS3018R's spelling)"),),
    # 해외종목명 of each realized row: absent from the broker's sample, read by python-kis 2.1.6 (a client of the
    # real service: pykis/api/account/order_profit.py, KisForeignOrderProfit.name).
    ("overseas_stock", "inquire_period_profit"): (("ovrs_item_name", "해외종목명"),),
    # 상품명 of each position: absent from the broker's sample, read by python-kis 2.1.6
    # (pykis/api/account/balance.py, KisForeignPresentBalanceStock.name).
    ("overseas_stock", "inquire_present_balance"): (("prdt_name", "상품명"),),
    # 해외주식 현재가 호가: ten levels for NASDAQ/NYSE listings, the best one elsewhere (python-kis 2.1.6,
    # pykis/api/stock/order_book.py reads ``pbid1..10``); the broker's sample lists the first level only.
    ("overseas_stock", "inquire_asking_price"): _LEVELS,
}
"""Response columns the service sends that ``rest.json`` lacks or spells otherwise, each with its source,
appended to the API's row (older answers simply leave them blank)."""

_MARKET: dict[tuple[str, str], dict[str, str]] = {  # the quotes (pykis.models.quote)
    ("domestic_stock", "inquire_price"): {"output": "object"},
    ("domestic_stock", "inquire_overtime_price"): {"output": "object"},
    ("domestic_stock", "intstock_multprice"): {"output": "rows"},
    ("overseas_stock", "price_detail"): {"output": "object"},
}
_ORDERBOOK: dict[tuple[str, str], dict[str, str]] = {
    ("domestic_stock", "inquire_asking_price_exp_ccn"): {"output1": "object"},
    ("overseas_stock", "inquire_asking_price"): {"output1": "object", "output2": "any"},
}
_CHART: dict[tuple[str, str], dict[str, str]] = {
    ("domestic_stock", "inquire_daily_itemchartprice"): {"output2": "rows?"},
    ("domestic_stock", "inquire_time_itemchartprice"): {"output2": "rows?"},
    ("overseas_stock", "dailyprice"): {"output2": "rows?"},
    ("overseas_stock", "inquire_time_itemchartprice"): {"output1": "object?", "output2": "rows?"},
}
_ACCOUNT: dict[tuple[str, str], dict[str, str]] = {
    ("domestic_stock", "inquire_balance"): {"output1": "rows", "output2": "any"},
    ("domestic_stock", "inquire_daily_ccld"): {"output1": "rows"},
    ("domestic_stock", "inquire_psbl_rvsecncl"): {"output": "rows"},
    ("domestic_stock", "inquire_period_trade_profit"): {"output1": "rows"},
    ("domestic_stock", "inquire_psbl_order"): {"output": "object"},
    ("overseas_stock", "inquire_balance"): {"output1": "rows"},
    ("overseas_stock", "inquire_present_balance"): {"output1": "rows", "output2": "rows"},
    ("overseas_stock", "inquire_ccnl"): {"output": "rows"},
    ("overseas_stock", "inquire_period_profit"): {"output1": "rows"},
    ("overseas_stock", "inquire_psamount"): {"output": "object"},
}
READ_BY_MODELS: dict[str, dict[tuple[str, str], dict[str, str]]] = {
    "_market": _MARKET,
    "_orderbook": _ORDERBOOK,
    "_chart": _CHART,
    "_account": _ACCOUNT,
}
"""The APIs :mod:`pykis.models` decode, by group, with how each output block they read arrives (``object``
one row, ``rows`` a list, ``any`` either, ``?`` may be absent) as the service sends it (PROTOCOL.md; held by
tests/models and tests/integration); their bodies declare only these blocks (msgspec skips the rest unread).
A group's shapes are generated into one module, a group per model module (``pykis.wire._market`` the quotes',
``_orderbook``, ``_chart``, ``_account``): a model module's bodies are imported together, so a module per API would
only add imports to a cold first quote, and one for every market model would make it build the order books' and
charts' shapes too (~0.5 ms of its ~0.8, issue 15). Every other API has
its own module, its blocks typed as either form, or absent. (FHKST03010230 and TTTS3018R are read through
FHKST03010200's and TTTS3035R's shapes.)"""

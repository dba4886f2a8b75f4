"""Where the catalog (``rest.json``, distilled from the broker's samples) and the real wire differ.

The catalog marks a parameter required when a sample's docstring says [필수] or its code checks it, and takes
response column names from the samples' ``chk_*.py`` display maps. Both are second-hand: the broker's own
code that talks to the service is the better witness. Each correction below names that code; the fidelity
ledger (``docs/emulator.md``) lists them all.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["BLOCK_SHAPES", "OPTIONAL_PARAMS", "block_shape", "optional_params", "wire_column"]

OPTIONAL_PARAMS: Mapping[str, Mapping[str, str]] = {
    "/uapi/domestic-stock/v1/trading/order-cash": {
        # The service routes to KRX without it.
        "EXCG_ID_DVSN_CD": "backtester/kis_backtest/providers/kis/brokerage.py submit_order, "
        "strategy_builder/core/order_executor.py _execute_order, legacy/rest/kis_api.py do_order, "
        "legacy/Sample01/kis_domstk.py get_order_cash, the postman collections",
    },
    "/uapi/domestic-stock/v1/trading/order-rvsecncl": {
        "EXCG_ID_DVSN_CD": "backtester/kis_backtest/providers/kis/brokerage.py cancel_order and modify_order, "
        "legacy/rest/kis_api.py _do_cancel_revise, legacy/Sample01/kis_domstk.py get_order_rvsecncl, "
        "the postman collections",
    },
    "/uapi/domestic-stock/v1/trading/order-resv-rvsecncl": {
        "RSVN_ORD_ORGNO": "legacy/Sample01/kis_domstk.py get_order_resv_cncl, the real-account postman collection",
        "RSVN_ORD_ORD_DT": "legacy/Sample01/kis_domstk.py get_order_resv_cncl, the real-account postman collection",
    },
    "/uapi/overseas-stock/v1/trading/order": {
        # 00 (limit) when absent.
        "ORD_DVSN": "the postman collections' Shanghai orders (TTTS0202U / VTTS0202U)",
    },
}
"""Parameters the catalog calls required that the broker's own code omits: path → name → where."""


def optional_params(path: str) -> frozenset[str]:
    """The names (upper case) of the catalog-required parameters of ``path`` the service does not require."""
    return frozenset(OPTIONAL_PARAMS.get(path, {}))


def wire_column(method: str, column: str) -> str:
    """A catalog column name as the service spells it.

    Order acknowledgements (every POST answer) are upper case: the broker's readers take ``ODNO``,
    ``ORD_TMD`` and ``KRX_FWDG_ORD_ORGNO`` from order-cash and order-rvsecncl alike (legacy/Sample01/
    kis_api01.py, strategy_builder/backend/routers/orders.py, backtester brokerage.py), ``RSVN_ORD_SEQ``
    from order-resv and ``ORD_DT``/``ODNO`` from the overseas futures orders (legacy/Sample01/kis_api04.py).
    The lower-case maps of chk_order_rvsecncl.py and chk_order_credit.py are display labels.
    """
    return column.upper() if method.upper() == "POST" else column


_READERS = "the samples' readers (pd.DataFrame(block) takes a list; [block] or index=[0] an object)"
_LEGACY = "legacy/Sample01 readers (pd.DataFrame(block) takes a list; index=[0] an object)"
_DOCS = "the API documentation (one record per product or instrument)"

BLOCK_SHAPES: Mapping[str, tuple[Mapping[str, str], str]] = {
    "/uapi/domestic-stock/v1/trading/inquire-balance-rlz-pl": ({"output2": "list"}, _READERS),
    "/uapi/domestic-stock/v1/quotations/inquire-investor-time-by-market": ({"output": "list"}, _READERS),
    "/uapi/domestic-stock/v1/quotations/market-time": ({"output1": "object"}, _READERS),
    "/uapi/domestic-stock/v1/trading/pension/inquire-present-balance": ({"output2": "list"}, _READERS),
    "/uapi/domestic-stock/v1/quotations/program-trade-by-stock": ({"output": "list"}, _READERS),
    "/uapi/domestic-stock/v1/quotations/tradprt-byamt": ({"output": "list"}, _READERS),
    "/uapi/domestic-bond/v1/quotations/avg-unit": ({"output1": "list", "output3": "list"}, _READERS),
    "/uapi/domestic-futureoption/v1/quotations/display-board-callput": ({"output1": "list"}, _READERS),
    "/uapi/domestic-futureoption/v1/quotations/display-board-futures": ({"output": "list"}, _READERS),
    "/uapi/domestic-futureoption/v1/quotations/inquire-asking-price": ({"output2": "object"}, _READERS),
    "/uapi/domestic-futureoption/v1/quotations/inquire-price": ({"output2": "object"}, _READERS),
    "/uapi/domestic-futureoption/v1/trading/ngt-margin-detail": ({"output2": "list"}, _READERS),
    "/uapi/overseas-price/v1/quotations/colable-by-company": ({"output1": "list", "output2": "object"}, _READERS),
    "/uapi/overseas-stock/v1/trading/inquire-algo-ccnl": ({"output3": "list"}, _READERS),
    "/uapi/overseas-stock/v1/trading/inquire-paymt-stdr-balance": ({"output2": "list"}, _LEGACY),
    "/uapi/overseas-stock/v1/trading/order-resv-ccnl": ({"output": "object"}, _READERS),
    "/uapi/overseas-futureoption/v1/trading/inquire-period-ccld": ({"output2": "list"}, _LEGACY),
    "/uapi/overseas-futureoption/v1/quotations/inquire-price": ({"output1": "object"}, _LEGACY),
    # legacy get_overseasfuopt_inquire_time_futurechartprice reads output2['index_key'].
    "/uapi/overseas-futureoption/v1/quotations/inquire-time-futurechartprice": (
        {"output1": "list", "output2": "object"},
        _LEGACY,
    ),
    "/uapi/overseas-futureoption/v1/trading/margin-detail": ({"output": "object"}, _LEGACY),
    "/uapi/overseas-futureoption/v1/quotations/opt-detail": ({"output1": "object"}, _READERS),
    "/uapi/overseas-futureoption/v1/quotations/opt-price": ({"output1": "object"}, _READERS),
    "/uapi/overseas-futureoption/v1/quotations/stock-detail": ({"output1": "object"}, _LEGACY),
    "/uapi/etfetn/v1/quotations/nav-comparison-trend": ({"output2": "object"}, _READERS),
    "/uapi/domestic-stock/v1/quotations/inquire-elw-price": ({"output": "object"}, _DOCS),
    "/uapi/domestic-stock/v1/quotations/inquire-index-price": ({"output": "object"}, _DOCS),
    "/uapi/domestic-bond/v1/quotations/inquire-price": ({"output": "object"}, _DOCS),
    "/uapi/domestic-bond/v1/quotations/inquire-asking-price": ({"output": "object"}, _DOCS),
    "/uapi/domestic-bond/v1/quotations/issue-info": ({"output": "object"}, _DOCS),
    "/uapi/domestic-bond/v1/quotations/search-bond-info": ({"output": "object"}, _DOCS),
    "/uapi/domestic-bond/v1/trading/inquire-psbl-order": ({"output": "object"}, _DOCS),
}
"""Output blocks whose shape (``"list"`` of rows or one ``"object"``) the generic answers' heuristics get
wrong, with the evidence: path → ({block: shape}, source)."""


def block_shape(path: str, block: str) -> str | None:
    """``"list"`` or ``"object"`` where :data:`BLOCK_SHAPES` knows the shape of ``block``, else ``None``."""
    shapes = BLOCK_SHAPES.get(path)
    return shapes[0].get(block) if shapes else None

"""Arguments for calling every generated operation against the emulator: valid for the hand-written
endpoints (which check symbols, accounts and prices), anything non-empty for the generic ones."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pykis.api import Op
from pykis.catalog import rest_apis

STARTED = datetime(2026, 11, 25, 11, 0, tzinfo=ZoneInfo("Asia/Seoul"))
"""Where the emulator's clock starts (tests/api/conftest.py): the service's today, not this machine's."""
TODAY = STARTED.date()
WEEK_AGO = TODAY - timedelta(days=7)

COMMON: dict[str, str] = {
    "FID_COND_MRKT_DIV_CODE": "J",
    "FID_INPUT_ISCD": "005930",
    "FID_INPUT_DATE_1": WEEK_AGO.strftime("%Y%m%d"),
    "FID_INPUT_DATE_2": TODAY.strftime("%Y%m%d"),
    "FID_PERIOD_DIV_CODE": "D",
    "FID_ORG_ADJ_PRC": "0",
    "FID_INPUT_HOUR_1": "100000",
    "FID_PW_DATA_INCU_YN": "N",
    "FID_ETC_CLS_CODE": "",
    "FID_FAKE_TICK_INCU_YN": "",
    "FID_DIV_CLS_CODE": "0",
    "PDNO": "005930",
    "PRDT_TYPE_CD": "300",
    "EXCD": "NAS",
    "SYMB": "AAPL",
    "OVRS_EXCG_CD": "NASD",
    "TR_CRCY_CD": "USD",
    "ORD_DVSN": "00",
    "ORD_QTY": "1",
    "ORD_UNPR": "0",
    "OVRS_ORD_UNPR": "0",
    "EXCG_ID_DVSN_CD": "KRX",
    "INQR_STRT_DT": WEEK_AGO.strftime("%Y%m%d"),
    "INQR_END_DT": TODAY.strftime("%Y%m%d"),
    "ORD_STRT_DT": WEEK_AGO.strftime("%Y%m%d"),
    "ORD_END_DT": TODAY.strftime("%Y%m%d"),
    "BASS_DT": TODAY.strftime("%Y%m%d"),
    "GUBN": "0",
    "BYMD": "",
    "MODP": "0",
    "NMIN": "1",
    "PINC": "0",
    "NEXT": "",
    "NREC": "10",
    "FILL": "",
    "KEYB": "",
    "AFHR_FLPR_YN": "N",
    "INQR_DVSN": "02",
    "UNPR_DVSN": "01",
    "FUND_STTL_ICLD_YN": "N",
    "FNCG_AMT_AUTO_RDPT_YN": "N",
    "PRCS_DVSN": "00",
    "SLL_BUY_DVSN_CD": "00",
    "INQR_DVSN_1": "",
    "INQR_DVSN_2": "00",
    "INQR_DVSN_3": "00",
    "CCLD_DVSN": "00",
    "SLL_BUY_DVSN": "00",
    "CCLD_NCCS_DVSN": "00",
    "CMA_EVLU_AMT_ICLD_YN": "N",
    "OVRS_ICLD_YN": "N",
    "WCRC_FRCR_DVSN_CD": "02",
    "NATN_CD": "840",
    "TR_MKET_CD": "00",
    "INQR_DVSN_CD": "00",
    "SORT_SQN": "DS",
    "ITEM_CD": "AAPL",
    "OVRS_PDNO": "AAPL",
    "ORD_SVR_DVSN_CD": "0",
    "RVSE_CNCL_DVSN_CD": "02",
    "QTY_ALL_ORD_YN": "Y",
    "KRX_FWDG_ORD_ORGNO": "",
    "ORGN_ODNO": "",
    "ORD_GNO_BRNO": "",
    "ODNO": "",
    "FID_INPUT_PRICE_1": "",
    "FID_INPUT_PRICE_2": "",
    "FID_VOL_CNT": "",
    "OVRS_CRCY_CD": "USD",
    "OVRS_ORD_UNPR_1": "0",
    "PRDT_TYPE_CD_2": "",
    "CTX_AREA_FK100": "",
    "CTX_AREA_NK100": "",
    "CTX_AREA_FK200": "",
    "CTX_AREA_NK200": "",
}

# (category, name) → overrides where the common values do not fit.
SPECIFIC: dict[tuple[str, str], dict[str, str]] = {
    ("overseas_stock", "order"): {"PDNO": "AAPL", "OVRS_ORD_UNPR": "1.00", "ORD_DVSN": "00"},
    ("overseas_stock", "daytime_order"): {"PDNO": "AAPL", "OVRS_ORD_UNPR": "1.00", "ORD_DVSN": "00"},
    ("overseas_stock", "order_rvsecncl"): {"PDNO": "AAPL"},
    ("overseas_stock", "daytime_order_rvsecncl"): {"PDNO": "AAPL"},
    ("overseas_stock", "inquire_psamount"): {"ITEM_CD": "AAPL", "OVRS_ORD_UNPR": "100"},
    ("overseas_stock", "search_info"): {"PDNO": "AAPL", "PRDT_TYPE_CD": "512"},
    ("overseas_stock", "order_resv"): {"PDNO": "AAPL"},
    ("domestic_stock", "order_cash"): {"ORD_DVSN": "01", "ORD_UNPR": "0"},
    ("domestic_stock", "inquire_psbl_rvsecncl"): {"INQR_DVSN_1": "0", "INQR_DVSN_2": "0"},
    ("overseas_stock", "inquire_ccnl"): {"PDNO": "", "OVRS_EXCG_CD": ""},
    ("domestic_stock", "inquire_daily_ccld"): {"pd_dv": "inner"},
}


REALTIME_KEYS: dict[str, str] = {
    # The catalog's example keys, where the emulated market does not list that instrument.
    "HDFSASP1": "DHKS00700",
    "HDFSCNT0": "DHKS00700",
}


REQUIRED: dict[tuple[str, str], frozenset[str]] = {
    (str(entry["category"]), str(entry["name"])): frozenset(
        str(p["name"]) for p in entry["params"] if p.get("required")
    )
    for entry in rest_apis()
}


def arguments(operation: Op[Any, Any], account: str) -> dict[str, str]:
    """Keyword arguments for ``operation`` (request fields and TR selectors)."""
    spec = operation.spec
    values: dict[str, str] = {}
    specific = SPECIFIC.get((spec.category, spec.name), {})
    required = REQUIRED[(spec.category, spec.name)]
    for name, default in spec.params.items():
        upper = name.upper()
        if upper == "CANO":
            values[name] = account[:8]
        elif upper == "ACNT_PRDT_CD":
            values[name] = account[-2:]
        elif upper in specific:
            values[name] = specific[upper]
        elif upper in COMMON:
            values[name] = COMMON[upper]
        elif upper.startswith("FID_COND_MRKT_DIV_CODE_"):
            values[name] = "J"
        elif upper.startswith("FID_INPUT_ISCD_"):
            values[name] = "005930"
        elif default or name not in required:
            continue  # the operation's own default: the sample's fixed value or ""
        else:
            values[name] = "0"
    conditions = list(spec.real) if isinstance(spec.real, dict) else []
    for selector in spec.selectors:
        if selector in specific:
            values[selector] = specific[selector]
            continue
        # A buy where the selector offers one, else the first alternative the catalog lists.
        offered = [
            value
            for condition in conditions
            for clause in condition.split("&")
            if clause.strip().split("=", 1)[0] == selector
            for value in clause.strip().split("=", 1)[1].split("|")
        ]
        preferred = [value for value in offered if value in ("buy", "usBuy")]
        values[selector] = (preferred or offered)[0]
    return values

"""A KIS client written from PROTOCOL.md with nothing but httpx — no pykis — to check the emulator
against the real protocol: token, 005930 and NVDA prices, 200 daily bars over several calls, and the
refusals for a bad token, a too-fast burst and a virtual TR on the real host.

    python examples/raw_http_client.py secret.json        # the secret file `pykis emulator` writes

Prints one line per check and exits non-zero if any check fails.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date, timedelta

import httpx


def main(secret_file: str) -> int:
    with open(secret_file, encoding="utf-8") as handle:
        secret = json.load(handle)
    base = secret["rest_url"]
    failures = 0

    def check(name: str, ok: bool, detail: str = "") -> None:
        nonlocal failures
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {name} {detail}")

    with httpx.Client(base_url=base, timeout=10) as http:
        # §2: POST /oauth2/tokenP with grant_type, appkey, appsecret.
        answer = http.post(
            "/oauth2/tokenP",
            json={"grant_type": "client_credentials", "appkey": secret["appkey"], "appsecret": secret["secretkey"]},
        )
        token = answer.json().get("access_token", "")
        check("token issued", answer.status_code == 200 and bool(token), answer.json().get("token_type", ""))

        def headers(tr_id: str, bearer: str = token, tr_cont: str = "") -> dict[str, str]:
            # §3: lower-case headers, Bearer token, tr_id per API, custtype P.
            return {
                "content-type": "application/json; charset=utf-8",
                "authorization": f"Bearer {bearer}",
                "appkey": secret["appkey"],
                "appsecret": secret["secretkey"],
                "tr_id": tr_id,
                "custtype": "P",
                "tr_cont": tr_cont,
            }

        price = http.get(
            "/uapi/domestic-stock/v1/quotations/inquire-price",
            headers=headers("FHKST01010100"),
            params={"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"},
        ).json()
        check("005930 price", price.get("rt_cd") == "0", price.get("output", {}).get("stck_prpr", ""))

        nvda = http.get(
            "/uapi/overseas-price/v1/quotations/price",
            headers=headers("HHDFS00000300"),
            params={"AUTH": "", "EXCD": "NAS", "SYMB": "NVDA"},
        ).json()
        check("NVDA price", nvda.get("rt_cd") == "0", nvda.get("output", {}).get("last", ""))

        # §4: FHKST03010100 returns at most 100 bars; page back by moving FID_INPUT_DATE_2.
        bars: list[str] = []
        end = date.today()
        for _ in range(5):
            chart = http.get(
                "/uapi/domestic-stock/v1/quotations/inquire-daily-itemchartprice",
                headers=headers("FHKST03010100"),
                params={
                    "FID_COND_MRKT_DIV_CODE": "J",
                    "FID_INPUT_ISCD": "005930",
                    "FID_INPUT_DATE_1": (date.today() - timedelta(days=400)).strftime("%Y%m%d"),
                    "FID_INPUT_DATE_2": end.strftime("%Y%m%d"),
                    "FID_PERIOD_DIV_CODE": "D",
                    "FID_ORG_ADJ_PRC": "0",
                },
            ).json()
            days = [row["stck_bsop_date"] for row in chart.get("output2", []) if row.get("stck_bsop_date")]
            if not days:
                break
            bars += days
            if len(bars) >= 200:
                break
            end = date(int(days[-1][:4]), int(days[-1][4:6]), int(days[-1][6:])) - timedelta(days=1)
        check("200 daily bars paged", len(bars) >= 200 and len(set(bars)) == len(bars), f"{len(bars)} bars")

        bad = http.get(
            "/uapi/domestic-stock/v1/quotations/inquire-price",
            headers=headers("FHKST01010100", bearer="not-a-token"),
            params={"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"},
        )
        check("bad token refused", bad.status_code == 500 and bad.json().get("msg_cd") == "EGW00121", bad.text[:80])

        codes = []
        for _ in range(30):
            burst = http.get(
                "/uapi/domestic-stock/v1/quotations/inquire-price",
                headers=headers("FHKST01010100"),
                params={"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": "005930"},
            )
            codes.append(burst.json().get("msg_cd"))
        check("burst refused with EGW00201", "EGW00201" in codes, f"{codes.count('EGW00201')} of 30 refused")

        time.sleep(1.1)  # let the one-second window drain before the next check
        virtual_tr = http.get(
            "/uapi/domestic-stock/v1/trading/inquire-balance",
            headers=headers("VTTC8434R"),
            params={"CANO": secret["account"][:8], "ACNT_PRDT_CD": secret["account"][-2:]},
        )
        check(
            "virtual TR refused on the real host",
            virtual_tr.json().get("msg_cd") == "EGW02005",
            f"{virtual_tr.status_code} {virtual_tr.json().get('msg_cd')}",
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

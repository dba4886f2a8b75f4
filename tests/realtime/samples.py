"""Realistic realtime records (as the live feed sends them) for the realtime tests."""

from __future__ import annotations

# H0STCNT0, 47 fields (since 2026-09-14; the last one is MARKET_CLS_CODE).
H0STCNT0 = (
    "000660^135044^174900^5^-18400^-9.52^176617.41^178900^180000^174000^174900^174800^50^8919304^1587870362300"
    "^23197^27031^3834^86.31^3926124^3388705^5^0.43^131.09^090001^5^-4000^090416^2^1100^134856^5^-100^20240802"
    "^20^N^11232^27458^1021341^794116^1.23^6742781^132.28^0^N^193300^2"
)
H0STCNT0_OLD = H0STCNT0.rsplit("^", 1)[0]  # 46 fields, before 2026-09-14

HDFSCNT0 = (
    "AAPL^4^20240801^20240801^092930^20240801^223030^224.3700^224.4800^223.8100^224.1200^5^2.2100^-0.99"
    "^224.1100^224.1300^300^500^100^1523423^341234556^620113^903310^145.67^1"
)

H0STASP0_OLD = "^".join(
    ["005930", "093001", "0"]
    + [str(71000 + 100 * i) for i in range(10)]
    + [str(70900 - 100 * i) for i in range(10)]
    + [str(1000 + i) for i in range(10)]
    + [str(2000 + i) for i in range(10)]
    + ["98765", "123456", "0", "0", "0", "0", "0", "0", "3", "0.00", "3052507", "120", "-340", "0", "0", "0"]
)  # 59 fields
H0STASP0 = H0STASP0_OLD + "^70950^150^1^2"  # 63 fields

# H0STCNI0, 26 fields: a fill of 10 shares of 005930 at 71000 for order 0000012345.
H0STCNI0_FILL = (
    "myhtsid^5012345601^0000012345^^02^0^00^0^005930^10^71000^093015^0^2^2^91252^10^홍길동^^1^Y^^10^^삼성전자^71000"
)
H0STCNI0_ACK = (
    "myhtsid^5012345601^0000012345^^02^0^00^0^005930^10^71000^093014^0^1^1^91252^10^홍길동^^1^Y^^10^^삼성전자^71000"
)
# The same fill in the 23-field layout clients used before the three fields after 계좌명 were added.
H0STCNI0_FILL_OLD = (
    "myhtsid^5012345601^0000012345^^02^0^00^0^005930^10^71000^093015^0^2^2^91252^10^홍길동^삼성전자^10^^삼성전자^71000"
)

H0GSCNI0_FILL = (
    "myhtsid^5012345601^0000000077^^01^0^00^AAPL^3^224.1200^223015^0^2^2^91252^3^홍길동^APPLE INC^1^^^^^^224.1200"
)


def frame(tr_id: str, *records: str, flag: str = "0") -> str:
    """A data frame of ``records``."""
    return f"{flag}|{tr_id}|{len(records):03d}|" + "^".join(records)

"""What the engine answers a refused request with: ``EngineReject`` and the KIS message codes."""

from __future__ import annotations

MSG_ACCEPTED = ("APBK0013", "주문 전송 완료 되었습니다.")
"""``msg_cd``/``msg1`` of an accepted order, modify or cancel."""

# Real codes (seen in users' logs of the live service).
NO_CASH = ("APBK0952", "주문가능금액을 초과 했습니다")
CLOSED = ("APBK0918", "장운영시간이 아닙니다.(주문불가)")
NOTHING_LEFT = ("APBK0927", "정정취소 가능수량이 없습니다")
NO_SYMBOL = ("APBK0656", "해당 종목 정보가 없습니다.")
NO_QTY = ("APBK0400", "주문가능수량을 초과했습니다.")  # reported by users' mocks; the live code may differ
# Invented stand-ins: the live service's codes for these were not found.
BAD_TICK = ("APBK0515", "주문가격이 호가단위에 맞지 않습니다.")
OUT_OF_LIMIT = ("APBK0516", "주문가격이 상하한가를 벗어났습니다.")
BAD_LOT = ("APBK0517", "주문수량이 매매단위에 맞지 않습니다.")
BAD_TYPE = ("APBK0518", "주문구분을 확인하여 주십시오.")
HALTED = ("APBK0519", "거래정지 종목입니다.")
TOO_MUCH = ("APBK0520", "정정취소 가능수량을 초과하였습니다.")
NO_ORDER = ("APBK0521", "원주문번호를 잘못 입력하셨습니다.")
BAD_QTY = ("APBK0522", "주문수량을 확인하여 주십시오.")
NO_ACCOUNT = ("APBK0523", "계좌번호를 확인하여 주십시오.")


class EngineReject(Exception):
    """A refused request, carrying the KIS ``msg_cd`` and ``msg1`` the server should answer with."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.code} {self.message}"


def reject(pair: tuple[str, str], detail: str = "") -> EngineReject:
    return EngineReject(pair[0], pair[1] + (f" ({detail})" if detail else ""))

"""Gateway rules over raw HTTP: tokens, approval and hash keys, key/host/TR checks, rate limits.

Expected bodies are the shapes users quoted from the real service (PROTOCOL.md §7, §14 and the gateway's
message table); see ``pykis.emulator.gateway`` for the source of each.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest

from pykis.emulator import Emulator
from pykis.emulator.gateway import AppCredential, demo_credentials
from pykis.emulator.rest import ApiRequest, ApiResponse, EmulatorContext, ok
from tests.emulator.conftest import (
    BALANCE_PATH,
    HOLIDAY_PATH,
    ORDER_PATH,
    OVERSEAS_DETAIL_PATH,
    PRICE_PATH,
    PRICE_QUERY,
    Wire,
    envelope,
    token_body,
)

START = datetime(2025, 1, 6, 0, 0, tzinfo=UTC)  # Monday 09:00 KST


def gateway_error(response: httpx.Response, code: str, message: str) -> None:
    """A gateway refusal: HTTP 500 with exactly the envelope ``rt_cd``/``msg_cd``/``msg1``."""
    assert response.status_code == 500, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert envelope(response) == {"rt_cd": "1", "msg_cd": code, "msg1": message}


def oauth_error(response: httpx.Response, code: str, message: str) -> None:
    """An OAuth refusal: HTTP 403 with ``error_description`` and ``error_code``."""
    assert response.status_code == 403, response.text
    assert envelope(response) == {"error_description": message, "error_code": code}


@pytest.fixture
def frozen(fresh: Callable[..., Emulator]) -> Emulator:
    return fresh(clock="frozen", start=START)


# --------------------------------------------------------------------------------------- tokenP


def test_token_issue_has_the_documented_fields(frozen: Emulator) -> None:
    with httpx.Client() as http:
        response = http.post(f"{frozen.real.rest_url}/oauth2/tokenP", json=token_body(frozen.real))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body = envelope(response)
    assert set(body) == {"access_token", "access_token_token_expired", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 86400  # a JSON number, as the broker's example shows
    assert body["access_token_token_expired"] == "2025-01-07 09:00:00"  # KST wall time, 24 h later
    assert len(body["access_token"].split(".")) == 3


def test_second_issue_within_a_minute_is_refused_then_the_same_token_returns(frozen: Emulator) -> None:
    url = f"{frozen.real.rest_url}/oauth2/tokenP"
    with httpx.Client() as http:
        first = http.post(url, json=token_body(frozen.real)).json()
        frozen.clock.advance(30)
        oauth_error(
            http.post(url, json=token_body(frozen.real)), "EGW00133", "접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)"
        )
        frozen.clock.advance(31)
        again = http.post(url, json=token_body(frozen.real)).json()
        assert again["access_token"] == first["access_token"]
        assert again["expires_in"] == 86400 - 61
        assert again["access_token_token_expired"] == first["access_token_token_expired"]
        frozen.clock.advance(6 * 3600)
        renewed = http.post(url, json=token_body(frozen.real)).json()
    assert renewed["access_token"] != first["access_token"]
    assert renewed["expires_in"] == 86400


def test_the_issue_limit_is_per_key_and_per_environment(frozen: Emulator) -> None:
    with httpx.Client() as http:
        assert http.post(f"{frozen.real.rest_url}/oauth2/tokenP", json=token_body(frozen.real)).status_code == 200
        virtual = http.post(f"{frozen.virtual.rest_url}/oauth2/tokenP", json=token_body(frozen.virtual))
    assert virtual.status_code == 200


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        ({"appkey": "PS" + "x" * 34}, "EGW00103", "유효하지 않은 AppKey입니다."),
        ({"appsecret": "y" * 180}, "EGW00105", "유효하지 않은 AppSecret입니다."),
        ({"appkey": ""}, "EGW00102", "AppKey는 필수입니다."),
        ({"grant_type": ""}, "EGW00115", "권한부여 타입(grant_type)은 필수입니다."),
        ({"grant_type": "password"}, "EGW00116", "지원하지 않는 권한부여 타입(grant_type)입니다."),
    ],
)
def test_token_refusals_use_the_oauth_shape(real: Wire, change: dict[str, str], code: str, message: str) -> None:
    body = {**token_body(real.info), **change}
    oauth_error(real.http.post(f"{real.info.rest_url}/oauth2/tokenP", json=body), code, message)


def test_token_expires_after_its_lifetime(frozen: Emulator) -> None:
    wire = Wire(frozen.real, httpx.Client())
    with wire.http:
        wire.token = wire.issue_token().json()["access_token"]
        assert envelope(wire.get(PRICE_PATH, "FHKST01010100", PRICE_QUERY))["rt_cd"] == "0"
        frozen.clock.advance(86400 - 1)
        assert envelope(wire.get(PRICE_PATH, "FHKST01010100", PRICE_QUERY))["rt_cd"] == "0"
        frozen.clock.advance(1)
        gateway_error(wire.get(PRICE_PATH, "FHKST01010100", PRICE_QUERY), "EGW00123", "기간이 만료된 token 입니다.")


def test_short_lifetimes_are_configurable(fresh: Callable[..., Emulator]) -> None:
    emu = fresh(token_lifetime=0.3, token_issue_interval=0)
    wire = Wire(emu.real, httpx.Client())
    with wire.http:
        body = wire.issue_token().json()
        assert body["expires_in"] == 0
        wire.token = body["access_token"]
        time.sleep(0.35)
        gateway_error(wire.get(PRICE_PATH, "FHKST01010100", PRICE_QUERY), "EGW00123", "기간이 만료된 token 입니다.")
        renewed = wire.issue_token().json()
    assert renewed["access_token"] != body["access_token"]


# --------------------------------------------------------------------------------------- revokeP


def test_revoke_invalidates_the_token(frozen: Emulator) -> None:
    wire = Wire(frozen.real, httpx.Client())
    with wire.http:
        wire.token = wire.issue_token().json()["access_token"]
        revoke = {"appkey": wire.info.app.appkey, "appsecret": wire.info.app.appsecret, "token": wire.token}
        response = wire.http.post(f"{wire.info.rest_url}/oauth2/revokeP", json=revoke)
        assert response.status_code == 200
        assert envelope(response) == {"code": 200, "message": "접근토큰 폐기에 성공하였습니다"}
        gateway_error(wire.get(PRICE_PATH, "FHKST01010100", PRICE_QUERY), "EGW00121", "유효하지 않은 token 입니다.")
        oauth_error(
            wire.http.post(f"{wire.info.rest_url}/oauth2/revokeP", json=revoke),
            "EGW00121",
            "유효하지 않은 token 입니다.",
        )
        frozen.clock.advance(61)
        renewed = wire.issue_token().json()["access_token"]
    assert renewed != revoke["token"]


# --------------------------------------------------------------------------------------- Approval / hashkey


def test_approval_key_takes_the_secret_as_secretkey(real: Wire) -> None:
    url = f"{real.info.rest_url}/oauth2/Approval"
    body = {"grant_type": "client_credentials", "appkey": real.info.app.appkey, "secretkey": real.info.app.appsecret}
    response = real.http.post(url, json=body)
    assert response.status_code == 200
    key = envelope(response)["approval_key"]
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", key)
    wrong = {"grant_type": "client_credentials", "appkey": real.info.app.appkey, "appsecret": real.info.app.appsecret}
    oauth_error(real.http.post(url, json=wrong), "EGW00104", "AppSecret은 필수입니다.")


def test_hashkey_echoes_the_body_and_hashes_it(real: Wire) -> None:
    order = {"CANO": real.info.app.account[:8], "ACNT_PRDT_CD": "01", "PDNO": "005930", "ORD_QTY": "1"}
    headers = {"content-type": "application/json", "appKey": real.info.app.appkey, "appSecret": real.info.app.appsecret}
    first = real.http.post(f"{real.info.rest_url}/uapi/hashkey", json=order, headers=headers)
    assert first.status_code == 200
    body = envelope(first)
    assert body["JsonBody"] == order
    assert re.fullmatch(r"[0-9a-f]{64}", body["HASH"])
    same = real.http.post(f"{real.info.rest_url}/uapi/hashkey", json=order, headers=headers).json()
    other = real.http.post(f"{real.info.rest_url}/uapi/hashkey", json={**order, "ORD_QTY": "2"}, headers=headers).json()
    assert same["HASH"] == body["HASH"] != other["HASH"]
    gateway_error(
        real.http.post(f"{real.info.rest_url}/uapi/hashkey", json=order, headers={"appkey": real.info.app.appkey}),
        "EGW00104",
        "AppSecret은 필수입니다.",
    )


# --------------------------------------------------------------------------------------- token / key checks


def test_missing_token_is_egw00205(real: Wire) -> None:
    headers = real.headers("FHKST01010100")
    del headers["authorization"]
    response = real.get(PRICE_PATH, "", PRICE_QUERY, headers=headers)
    gateway_error(response, "EGW00205", "credentials_type이 유효하지 않습니다.(Bearer)")
    gateway_error(
        real.get(PRICE_PATH, "FHKST01010100", PRICE_QUERY, authorization=real.token),
        "EGW00205",
        "credentials_type이 유효하지 않습니다.(Bearer)",
    )


def test_wrong_token_is_egw00121(real: Wire, virtual: Wire) -> None:
    gateway_error(
        real.get(PRICE_PATH, "FHKST01010100", PRICE_QUERY, authorization="Bearer not-a-token"),
        "EGW00121",
        "유효하지 않은 token 입니다.",
    )
    # A token is bound to its app key.
    gateway_error(
        virtual.get(PRICE_PATH, "FHKST01010100", PRICE_QUERY, authorization=f"Bearer {real.token}"),
        "EGW00121",
        "유효하지 않은 token 입니다.",
    )


def test_wrong_app_key_or_secret(real: Wire) -> None:
    gateway_error(
        real.get(PRICE_PATH, "FHKST01010100", PRICE_QUERY, appkey="PS" + "z" * 34),
        "EGW00103",
        "유효하지 않은 AppKey입니다.",
    )
    gateway_error(
        real.get(PRICE_PATH, "FHKST01010100", PRICE_QUERY, appsecret="q" * 180),
        "EGW00105",
        "유효하지 않은 AppSecret입니다.",
    )
    headers = real.headers("FHKST01010100")
    del headers["appkey"]
    gateway_error(real.get(PRICE_PATH, "", PRICE_QUERY, headers=headers), "EGW00102", "AppKey는 필수입니다.")


def test_virtual_key_on_the_real_host_is_egw02004(emulator: Emulator, http: httpx.Client) -> None:
    wire = Wire(emulator.virtual, http)
    # tokenP accepts the key on either host (users report the token is issued), every call is refused.
    response = http.post(f"{emulator.real.rest_url}/oauth2/tokenP", json=token_body(emulator.virtual))
    assert response.status_code == 200
    wire.token = response.json()["access_token"]
    refused = http.get(
        f"{emulator.real.rest_url}{PRICE_PATH}", params=PRICE_QUERY, headers=wire.headers("FHKST01010100")
    )
    gateway_error(refused, "EGW02004", "실전투자 도메인은 모의투자 앱키로 호출하실 수 없습니다.")


def test_real_key_on_the_virtual_host_is_egw02007(emulator: Emulator, real: Wire) -> None:
    refused = real.http.get(
        f"{emulator.virtual.rest_url}{PRICE_PATH}", params=PRICE_QUERY, headers=real.headers("FHKST01010100")
    )
    gateway_error(refused, "EGW02007", "해당 앱키는 모의투자용 앱키가 아닙니다.")


# --------------------------------------------------------------------------------------- rate limits


def test_rate_limit_burst_is_egw00201_and_recovers(fresh: Callable[..., Emulator]) -> None:
    emu = fresh(real_rate=5)
    wire = Wire(emu.real, httpx.Client())
    second = httpx.Client()  # a second connection with the same key shares the window
    with wire.http, second:
        wire.token = wire.issue_token().json()["access_token"]
        codes = []
        for index in range(6):
            client = wire.http if index % 2 == 0 else second
            response = client.get(
                f"{emu.real.rest_url}{PRICE_PATH}", params=PRICE_QUERY, headers=wire.headers("FHKST01010100")
            )
            codes.append(response.status_code)
        assert codes == [200] * 5 + [500]
        gateway_error(wire.get(PRICE_PATH, "FHKST01010100", PRICE_QUERY), "EGW00201", "초당 거래건수를 초과하였습니다.")
        time.sleep(1.05)
        assert wire.get(PRICE_PATH, "FHKST01010100", PRICE_QUERY).status_code == 200


def test_virtual_default_rate_is_two_per_second(fresh: Callable[..., Emulator]) -> None:
    emu = fresh()
    wire = Wire(emu.virtual, httpx.Client())
    with wire.http:
        wire.token = wire.issue_token().json()["access_token"]
        statuses = [wire.get(PRICE_PATH, "FHKST01010100", PRICE_QUERY).status_code for _ in range(3)]
    assert statuses == [200, 200, 500]


def test_rate_windows_are_per_app_key(fresh: Callable[..., Emulator]) -> None:
    emu = fresh(real_rate=2)
    extra = demo_credentials(99, "real")
    emu.gateway.register(AppCredential("real", extra.appkey, extra.appsecret, extra.hts_id, extra.account))
    first = Wire(emu.real, httpx.Client())
    with first.http:
        first.token = first.issue_token().json()["access_token"]
        other_token = first.http.post(
            f"{emu.real.rest_url}/oauth2/tokenP",
            json={"grant_type": "client_credentials", "appkey": extra.appkey, "appsecret": extra.appsecret},
        ).json()["access_token"]
        for _ in range(2):
            assert first.get(PRICE_PATH, "FHKST01010100", PRICE_QUERY).status_code == 200
        assert first.get(PRICE_PATH, "FHKST01010100", PRICE_QUERY).status_code == 500
        other = first.get(
            PRICE_PATH,
            "FHKST01010100",
            PRICE_QUERY,
            appkey=extra.appkey,
            appsecret=extra.appsecret,
            authorization=f"Bearer {other_token}",
        )
    assert other.status_code == 200


# --------------------------------------------------------------------------------------- TR routing


def test_virtual_tr_on_the_real_host_is_egw02005(real: Wire) -> None:
    gateway_error(real.get(BALANCE_PATH, "VTTC8434R", {}), "EGW02005", "실전투자 TR 이 아닙니다.")


def test_real_tr_on_the_virtual_host_is_egw02006(virtual: Wire) -> None:
    gateway_error(virtual.get(BALANCE_PATH, "TTTC8434R", {}), "EGW02006", "모의투자 TR 이 아닙니다.")


def test_tr_not_offered_in_virtual_is_egw02006(virtual: Wire, real: Wire) -> None:
    gateway_error(
        virtual.get(HOLIDAY_PATH, "CTCA0903R", {"BASS_DT": "20250106"}), "EGW02006", "모의투자 TR 이 아닙니다."
    )
    query = {"AUTH": "", "EXCD": "NAS", "SYMB": "NVDA"}
    gateway_error(virtual.get(OVERSEAS_DETAIL_PATH, "HHDFS76200200", query), "EGW02006", "모의투자 TR 이 아닙니다.")
    assert envelope(real.get(OVERSEAS_DETAIL_PATH, "HHDFS76200200", query))["rt_cd"] == "0"


def test_unknown_tr_or_a_tr_of_another_path_is_opsq0002(real: Wire) -> None:
    gateway_error(real.get(PRICE_PATH, "FHKST99999999", PRICE_QUERY), "OPSQ0002", "없는 서비스 코드 입니다.")
    gateway_error(real.get(PRICE_PATH, "FHKST01010400", PRICE_QUERY), "OPSQ0002", "없는 서비스 코드 입니다.")
    gateway_error(real.get(PRICE_PATH, "", PRICE_QUERY), "OPSQ9999", "JSON PARSING ERROR : tr_id not found")


def test_legacy_tr_ids_are_aliases(emulator: Emulator, real: Wire, virtual: Wire) -> None:
    seen: list[tuple[str, str]] = []

    def order_cash(request: ApiRequest, ctx: EmulatorContext) -> ApiResponse:
        seen.append((request.raw_tr_id, request.tr_id))
        return ok({"output": {"KRX_FWDG_ORD_ORGNO": "06010", "ODNO": "0000000001", "ORD_TMD": "090000"}})

    emulator.registry.add(ORDER_PATH, order_cash, required=())
    body = {"CANO": "12345678", "ACNT_PRDT_CD": "01", "PDNO": "005930", "ORD_DVSN": "00", "ORD_QTY": "1"}
    for wire, legacy, current in ((real, "TTTC0802U", "TTTC0012U"), (virtual, "VTTC0801U", "VTTC0011U")):
        response = wire.http.post(f"{wire.info.rest_url}{ORDER_PATH}", json=body, headers=wire.headers(legacy))
        assert response.status_code == 200, response.text
        assert envelope(response)["rt_cd"] == "0"
        assert seen[-1] == (legacy, current)
    refused = real.http.post(f"{real.info.rest_url}{ORDER_PATH}", json=body, headers=real.headers("VTTC0802U"))
    gateway_error(refused, "EGW02005", "실전투자 TR 이 아닙니다.")


# --------------------------------------------------------------------------------------- params and paths


def test_missing_required_param_is_the_opsq2001_shape(real: Wire) -> None:
    response = real.get(PRICE_PATH, "FHKST01010100", {"FID_COND_MRKT_DIV_CODE": "J"})
    assert response.status_code == 200
    assert envelope(response) == {
        "rt_cd": "2",
        "msg_cd": "OPSQ2001",
        "msg1": "ERROR INPUT FIELD NOT FOUND [FID_INPUT_ISCD]",
    }
    # Present but empty is not missing: the symbol is then wrong.
    empty = envelope(real.get(PRICE_PATH, "FHKST01010100", {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": ""}))
    assert empty == {"rt_cd": "1", "msg_cd": "MCA05918", "msg1": "종목코드 오류입니다."}
    invalid = envelope(real.get(PRICE_PATH, "FHKST01010100", {**PRICE_QUERY, "FID_COND_MRKT_DIV_CODE": "Z"}))
    assert invalid == {"rt_cd": "2", "msg_cd": "OPSQ2001", "msg1": "ERROR INVALID FID_COND_MRKT_DIV_CODE"}


def test_query_names_match_in_any_case(real: Wire) -> None:
    lower = {"fid_cond_mrkt_div_code": "J", "fid_input_iscd": "005930"}
    assert envelope(real.get(PRICE_PATH, "FHKST01010100", lower))["rt_cd"] == "0"


def test_unknown_path_or_method_is_http_404(real: Wire) -> None:
    assert real.get("/uapi/domestic-stock/v1/quotations/no-such-api", "FHKST01010100").status_code == 404
    post = real.http.post(f"{real.info.rest_url}{PRICE_PATH}", json={}, headers=real.headers("FHKST01010100"))
    assert post.status_code == 404


def test_catalogued_api_without_its_own_endpoint_gets_the_generic_answer_after_the_gateway(real: Wire) -> None:
    # Issue 9: every catalogued API answers (pykis.emulator.endpoints.catalog); the gateway still checks first.
    path = "/uapi/domestic-stock/v1/quotations/inquire-member"
    response = real.get(path, "FHKST01010600", PRICE_QUERY)
    assert response.status_code == 200
    body = envelope(response)
    assert body["rt_cd"] == "0"
    assert isinstance(body["output"], dict) and all(isinstance(v, str) for v in body["output"].values())
    gateway_error(
        real.get(path, "FHKST01010600", PRICE_QUERY, authorization="Bearer x"),
        "EGW00121",
        "유효하지 않은 token 입니다.",
    )


def test_response_headers(real: Wire) -> None:
    response = real.get(PRICE_PATH, "FHKST01010100", PRICE_QUERY)
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.headers["tr_cont"] == "D"
    assert response.headers["tr_id"] == "FHKST01010100"
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["gt_uid"])


def test_demo_credentials_are_deterministic_and_distinct() -> None:
    real, virtual = demo_credentials(7, "real"), demo_credentials(7, "virtual")
    assert real == demo_credentials(7, "real")
    assert real != demo_credentials(8, "real")
    assert len(real.appkey) == 36 and len(real.appsecret) == 180
    assert real.appkey != virtual.appkey and real.account != virtual.account and real.hts_id != virtual.hts_id
    assert re.fullmatch(r"\d{8}-01", real.account) and virtual.account.startswith("50")


def test_stats_count_what_the_gateway_did(fresh: Callable[..., Emulator]) -> None:
    emu = fresh(real_rate=2, clock="frozen", start=START)
    wire = Wire(emu.real, httpx.Client())
    with wire.http:
        wire.token = wire.issue_token().json()["access_token"]
        wire.issue_token()  # EGW00133
        emu.clock.advance(61)
        wire.issue_token()  # the same token again
        for _ in range(3):
            wire.get(PRICE_PATH, "FHKST01010100", PRICE_QUERY)
    stats = emu.gateway.stats
    assert (stats.token_issues, stats.tokens_minted, stats.issue_refusals) == (2, 1, 1)
    assert (stats.requests, stats.rate_refusals) == (3, 1)

"""TokenManager against a counting token endpoint: one issue however many threads ask at once."""

from __future__ import annotations

import json
import logging
import stat
import threading
import time
from pathlib import Path

import pytest

from pykis._tokens import TokenManager
from pykis.errors import KisTokenIssueLimitError
from pykis.protocol.env import Environment
from pykis.protocol.http import HttpRequest, HttpResponse

APPKEY = "A" * 36
SECRET = "S" * 180


class TokenEndpoint:
    """Answers tokenP like KIS: a new token per issue, EGW00133 within a minute (of its own clock)."""

    def __init__(self) -> None:
        self.issues = 0
        self.asked = 0  # tokenP requests, refused or not
        self.revoked: list[str] = []
        self.last: float | None = None
        self.lock = threading.Lock()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        assert request.json is not None
        if request.path == "/oauth2/revokeP":
            self.revoked.append(request.json["token"])
            return HttpResponse(200, {}, b'{"code": 200, "message": "ok"}')
        assert request.json["appsecret"] == SECRET
        with self.lock:
            self.asked += 1
            time.sleep(0.05)  # a slow issue widens the race window
            now = time.monotonic()
            if self.last is not None and now - self.last < 60:
                refusal = {"error_code": "EGW00133", "error_description": "1분당 1회"}
                return HttpResponse(403, {}, json.dumps(refusal).encode())
            self.last = now
            self.issues += 1
            body = {"access_token": f"token-{self.issues}", "token_type": "Bearer", "expires_in": 86400}
            return HttpResponse(200, {}, json.dumps(body).encode())


@pytest.fixture(autouse=True)
def fresh_registry() -> None:
    from pykis import _tokens

    _tokens._REGISTRY.clear()


def manager(endpoint: TokenEndpoint, cache: Path | None, key: str = APPKEY) -> TokenManager:
    return TokenManager(Environment.REAL, key, SECRET, endpoint, cache_dir=cache)


@pytest.mark.parametrize("keep", [True, False])
def test_sixteen_threads_share_one_issue(tmp_path: Path, keep: bool) -> None:
    endpoint = TokenEndpoint()
    managers = [manager(endpoint, tmp_path if keep else None) for _ in range(4)]
    barrier = threading.Barrier(16)
    seen: list[str] = []

    def work(index: int) -> None:
        barrier.wait()
        seen.append(managers[index % 4].get())

    threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (endpoint.asked, endpoint.issues) == (1, 1)
    assert seen == ["token-1"] * 16


def test_kept_token_is_private_and_holds_no_secret(tmp_path: Path) -> None:
    endpoint = TokenEndpoint()
    manager(endpoint, tmp_path).get()
    [cache] = list(tmp_path.glob("*.json"))
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    text = cache.read_text()
    assert SECRET not in text
    assert APPKEY not in text
    # A new process (empty registry) reuses the kept token instead of issuing.
    from pykis import _tokens

    _tokens._REGISTRY.clear()
    again = TokenEndpoint()
    assert manager(again, tmp_path).get() == "token-1"
    assert again.issues == 0


def test_corrupt_cache_is_warned_about_and_replaced(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    endpoint = TokenEndpoint()
    manager(endpoint, tmp_path).get()
    [cache] = list(tmp_path.glob("*.json"))
    cache.write_text("{not json")
    from pykis import _tokens

    _tokens._REGISTRY.clear()
    fresh = TokenEndpoint()
    with caplog.at_level(logging.WARNING, logger="pykis"):
        assert manager(fresh, tmp_path).get() == "token-1"
    assert "corrupt token cache" in caplog.text
    assert fresh.issues == 1
    assert json.loads(cache.read_text())["access_token"] == "token-1"


def test_stale_token_is_replaced_but_only_once(tmp_path: Path) -> None:
    endpoint = TokenEndpoint()
    tokens = manager(endpoint, None)
    assert tokens.get() == "token-1"
    endpoint.last = None  # the server would allow another issue now
    assert tokens.get(stale="token-1") == "token-2"
    # A second caller holding the same stale token finds the fresh one without issuing again.
    assert tokens.get(stale="token-1") == "token-2"
    assert endpoint.issues == 2


def test_issue_limit_refusal_is_typed() -> None:
    endpoint = TokenEndpoint()
    manager(endpoint, None).get()
    from pykis import _tokens

    _tokens._REGISTRY.clear()
    with pytest.raises(KisTokenIssueLimitError):
        manager(endpoint, None).get()


def test_revoke_tells_the_server_and_forgets(tmp_path: Path) -> None:
    endpoint = TokenEndpoint()
    tokens = manager(endpoint, tmp_path)
    tokens.get()
    tokens.revoke()
    assert endpoint.revoked == ["token-1"]
    assert tokens.peek() is None
    assert not list(tmp_path.glob("*.json"))

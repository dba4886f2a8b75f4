"""TokenManager against a counting token endpoint: one issue however many threads ask at once."""

from __future__ import annotations

import json
import logging
import os
import stat
import threading
import time
from pathlib import Path

import pytest

from pykis.drivers.tokens import TokenManager
from pykis.errors import KisTokenExpiredError, KisTokenIssueLimitError
from pykis.protocol.env import Environment
from pykis.protocol.http import HttpRequest, HttpResponse
from pykis.protocol.token import cache_key

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
    from pykis.drivers import tokens as _tokens

    _tokens._REGISTRY.clear()


HOST = "https://openapi.koreainvestment.com:9443"


def manager(endpoint: TokenEndpoint, cache: Path | None, key: str = APPKEY, host: str = HOST) -> TokenManager:
    return TokenManager(Environment.REAL, key, SECRET, endpoint, host=host, cache_dir=cache)


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
    from pykis.drivers import tokens as _tokens

    _tokens._REGISTRY.clear()
    again = TokenEndpoint()
    assert manager(again, tmp_path).get() == "token-1"
    assert again.issues == 0


def test_corrupt_cache_is_warned_about_and_replaced(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    endpoint = TokenEndpoint()
    manager(endpoint, tmp_path).get()
    [cache] = list(tmp_path.glob("*.json"))
    cache.write_text("{not json")
    from pykis.drivers import tokens as _tokens

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
    from pykis.drivers import tokens as _tokens

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


@pytest.mark.parametrize("keep", [True, False])
def test_a_token_belongs_to_the_host_that_issued_it(tmp_path: Path, keep: bool) -> None:
    # Two sandboxes with one seed hand out the same app key: each issues its own token, in memory and on disk.
    first, second = TokenEndpoint(), TokenEndpoint()
    cache = tmp_path if keep else None
    assert manager(first, cache, host="http://127.0.0.1:18001").get() == "token-1"
    assert manager(second, cache, host="http://127.0.0.1:18002").get() == "token-1"
    assert (first.issues, second.issues) == (1, 1)
    # The same host spelled differently (case, a trailing slash) is still the same host.
    assert manager(first, cache, host="HTTP://127.0.0.1:18001/").get() == "token-1"
    assert first.issues == 1
    if keep:
        records = sorted(json.loads(p.read_text())["host"] for p in tmp_path.glob("*.json"))
        assert records == ["http://127.0.0.1:18001", "http://127.0.0.1:18002"]


def test_a_kept_token_of_another_host_is_not_offered(tmp_path: Path) -> None:
    manager(TokenEndpoint(), tmp_path, host="http://127.0.0.1:18001").get()
    [cache] = list(tmp_path.glob("*.json"))
    other = tmp_path / "other"
    other.mkdir()
    # A cache file copied under another host's name (or written by an older pykis) is not that host's token.
    from pykis.protocol.token import cache_key

    stem, _ = cache_key(Environment.REAL, APPKEY, "http://127.0.0.1:18002")
    (other / f"{stem}.json").write_bytes(cache.read_bytes())
    from pykis.drivers import tokens as _tokens

    _tokens._REGISTRY.clear()
    endpoint = TokenEndpoint()
    assert manager(endpoint, other, host="http://127.0.0.1:18002").get() == "token-1"
    assert endpoint.issues == 1


class Recorder:
    """A tokenP/revokeP endpoint that records every request and answers from a script."""

    def __init__(self, *answers: HttpResponse) -> None:
        self.requests: list[HttpRequest] = []
        self.answers = list(answers)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        return self.answers.pop(0)


def issued(value: str, expires_in: int = 86400) -> HttpResponse:
    body = {"access_token": value, "token_type": "Bearer", "expires_in": expires_in}
    return HttpResponse(200, {}, json.dumps(body).encode())


OK = HttpResponse(200, {}, b'{"code": 200, "message": "ok"}')


def test_peek_current_and_expiry_on_the_managers_clock(tmp_path: Path) -> None:
    now = [1000.0]
    endpoint = Recorder(issued("one", 7200), issued("two", 7200))
    tokens = TokenManager(
        Environment.VIRTUAL, APPKEY, SECRET, endpoint, host=HOST, cache_dir=None, clock=lambda: now[0]
    )
    assert repr(tokens) == f"TokenManager(virtual@{HOST}, cached=False)"
    assert tokens.peek() is None and tokens.issued == 0
    current = tokens.current()
    assert (current.value, current.expires_at, tokens.issued) == ("one", 8200.0, 1)
    assert tokens.peek() == "one"
    now[0] = 8200.0 - 3600  # within the refresh margin: no longer handed out
    assert tokens.peek() is None
    assert tokens.get() == "two" and tokens.issued == 2
    request = endpoint.requests[0]
    assert (request.path, request.json) == (
        "/oauth2/tokenP",
        {"grant_type": "client_credentials", "appkey": APPKEY, "appsecret": SECRET},
    )
    kept = TokenManager(Environment.REAL, APPKEY, SECRET, endpoint, host=HOST, cache_dir=tmp_path)
    assert repr(kept) == f"TokenManager(real@{HOST}, cached=True)"


def test_revoke_sends_the_held_token_and_forgets_it_everywhere(tmp_path: Path) -> None:
    endpoint = Recorder(issued("one"), OK)
    tokens = manager(endpoint, tmp_path)  # type: ignore[arg-type]
    tokens.get()
    [kept] = list(tmp_path.glob("*.json"))
    tokens.revoke()
    assert endpoint.requests[-1].path == "/oauth2/revokeP"
    assert endpoint.requests[-1].json == {"appkey": APPKEY, "appsecret": SECRET, "token": "one"}
    assert tokens.peek() is None and not kept.exists()
    tokens.revoke()  # nothing held any more: no request
    assert len(endpoint.requests) == 2


def test_revoke_finds_a_kept_token_another_process_issued(tmp_path: Path) -> None:
    from pykis.drivers import tokens as _tokens

    manager(Recorder(issued("kept")), tmp_path).get()  # type: ignore[arg-type]
    _tokens._REGISTRY.clear()  # a new process: nothing in memory
    endpoint = Recorder(OK)
    manager(endpoint, tmp_path).revoke()  # type: ignore[arg-type]
    assert [request.json for request in endpoint.requests] == [{"appkey": APPKEY, "appsecret": SECRET, "token": "kept"}]
    assert not list(tmp_path.glob("*.json"))


def test_a_refused_revoke_is_typed(tmp_path: Path) -> None:
    refusal = HttpResponse(403, {}, b'{"error_code": "EGW00121", "error_description": "invalid token"}')
    endpoint = Recorder(issued("one"), refusal)
    tokens = manager(endpoint, None)  # type: ignore[arg-type]
    tokens.get()
    with pytest.raises(KisTokenExpiredError):
        tokens.revoke()
    assert tokens.peek() is None


def test_a_kept_token_equal_to_the_stale_one_is_not_reused(tmp_path: Path) -> None:
    from pykis.drivers import tokens as _tokens

    manager(Recorder(issued("old")), tmp_path).get()  # type: ignore[arg-type]
    _tokens._REGISTRY.clear()
    endpoint = Recorder(issued("new"))
    assert manager(endpoint, tmp_path).get(stale="old") == "new"  # type: ignore[arg-type]
    assert len(endpoint.requests) == 1
    [kept] = list(tmp_path.glob("*.json"))
    assert json.loads(kept.read_text())["access_token"] == "new"


def test_an_unreadable_cache_is_warned_about_and_bypassed(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from pykis.drivers import tokens as _tokens

    manager(Recorder(issued("old")), tmp_path).get()  # type: ignore[arg-type]
    [kept] = list(tmp_path.glob("*.json"))
    kept.chmod(0)
    _tokens._REGISTRY.clear()
    endpoint = Recorder(issued("new"))
    try:
        with caplog.at_level(logging.WARNING, logger="pykis"):
            value = manager(endpoint, tmp_path).get()  # type: ignore[arg-type]
    finally:
        kept.chmod(0o600)
    if os.geteuid() == 0:  # root reads any file: the kept token is simply reused
        assert value == "old" and endpoint.requests == []
    else:
        assert value == "new" and "Cannot read the token cache" in caplog.text


def test_what_the_manager_logs_and_names(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    endpoint = Recorder(issued("one", 7200), OK)
    tokens = TokenManager(
        Environment.REAL, APPKEY, SECRET, endpoint, host=HOST, cache_dir=tmp_path / "a" / "b", clock=lambda: 0.0
    )
    with caplog.at_level(logging.INFO, logger="pykis"):
        tokens.get()
        tokens.revoke()
    assert caplog.messages == [
        "Issued a real access token, valid until AccessToken(value=***, expires_at='1970-01-01T11:00:00+09:00')",
        "Revoked the real access token",
    ]
    assert (tmp_path / "a" / "b").is_dir()  # made with its parents
    # The cross-process lock sits beside the kept token, under the token's own name.
    (lock,) = (tmp_path / "a" / "b").glob("*.lock")
    assert lock.name == f"{cache_key(Environment.REAL, APPKEY, HOST)[0]}.json.lock"


def test_refusals_name_their_endpoint() -> None:
    refusal = HttpResponse(403, {}, b'{"error_code": "EGW00133", "error_description": "1/min"}')
    with pytest.raises(KisTokenIssueLimitError) as issue:
        manager(Recorder(refusal), None).get()  # type: ignore[arg-type]
    assert issue.value.tr_id == "tokenP"
    from pykis.drivers import tokens as _tokens

    _tokens._REGISTRY.clear()
    expired = HttpResponse(500, {}, b'{"rt_cd": "1", "msg_cd": "EGW00121", "msg1": "invalid"}')
    tokens = manager(Recorder(issued("one"), expired), None)  # type: ignore[arg-type]
    tokens.get()
    with pytest.raises(KisTokenExpiredError) as revoke:
        tokens.revoke()
    assert revoke.value.tr_id == "revokeP"


def test_unreadable_and_corrupt_caches_are_named_in_the_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from pykis.drivers import tokens as _tokens

    manager(Recorder(issued("old")), tmp_path).get()  # type: ignore[arg-type]
    [kept] = list(tmp_path.glob("*.json"))
    kept.unlink()
    kept.symlink_to(kept)  # reading it fails (a loop) for any user, root included
    _tokens._REGISTRY.clear()
    with caplog.at_level(logging.WARNING, logger="pykis"):
        assert manager(Recorder(issued("new")), tmp_path).get() == "new"  # type: ignore[arg-type]
    assert caplog.messages == [
        f"Cannot read the token cache {kept} (Too many levels of symbolic links); issuing a new token"
    ]
    assert json.loads(kept.read_text())["access_token"] == "new"  # the loop replaced by the new token
    caplog.clear()
    kept.write_text("[]")
    _tokens._REGISTRY.clear()
    with caplog.at_level(logging.WARNING, logger="pykis"):
        assert manager(Recorder(issued("third")), tmp_path).get() == "third"  # type: ignore[arg-type]
    assert caplog.messages == [
        f"Ignoring a corrupt token cache {kept} (token cache is not an object); issuing a new token"
    ]


def test_two_keys_keep_two_tokens(tmp_path: Path) -> None:
    first = manager(Recorder(issued("one")), None)  # type: ignore[arg-type]
    second = manager(Recorder(issued("two")), None, key="B" * 36)  # type: ignore[arg-type]
    assert (first.get(), second.get(), first.get()) == ("one", "two", "one")

"""Every constructor form of the seed README, and the routing of calls to environments."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pykis import AsyncPyKis, KisAuth, KisCredentialError, KisHosts, PyKis
from pykis.protocol.env import Environment
from pykis.protocol.request import ApiCall

REAL = KisAuth(id="soju06", appkey="R" * 36, secretkey="r" * 180, account="50113500-01")
VIRTUAL = KisAuth(id="soju06", appkey="V" * 36, secretkey="v" * 180, account="50000000-01", virtual=True)
QUOTE = ApiCall("GET", "/q", "FHKST01010100")
ORDER = ApiCall("POST", "/o", "TTTC0012U", trading=True)


@pytest.fixture
def secrets(tmp_path: Path) -> tuple[Path, Path]:
    real, virtual = tmp_path / "secret.json", tmp_path / "virtual_secret.json"
    REAL.save(real)
    VIRTUAL.save(virtual)
    return real, virtual


def test_secret_file_forms(secrets: tuple[Path, Path], tmp_path: Path) -> None:
    real, virtual = secrets
    with PyKis(str(real), keep_token=tmp_path) as kis:
        assert not kis.virtual
        assert kis.environment_for(ORDER) is Environment.REAL
    with PyKis(KisAuth.load(real), KisAuth.load(virtual), keep_token=True) as kis:
        assert kis.virtual
        assert kis.environment_for(QUOTE) is Environment.REAL
        assert kis.environment_for(ORDER) is Environment.VIRTUAL
        assert str(kis.primary_account) == "50000000-01"
    with PyKis(real, virtual) as kis:
        assert kis.environments == (Environment.REAL, Environment.VIRTUAL)


def test_keyword_forms() -> None:
    with PyKis(id="soju06", account="00000000-01", appkey="R" * 36, secretkey="r" * 180, keep_token=True) as kis:
        assert not kis.virtual
    with PyKis(
        id="soju06",
        account="00000000-01",
        appkey="R" * 36,
        secretkey="r" * 180,
        virtual_id="soju06",
        virtual_appkey="V" * 36,
        virtual_secretkey="v" * 180,
        keep_token=True,
    ) as kis:
        assert kis.virtual
        assert kis.trading_auth.appkey == "V" * 36


def test_virtual_only() -> None:
    with PyKis(VIRTUAL) as kis:
        assert kis.virtual
        assert kis.environment_for(QUOTE) is Environment.VIRTUAL


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((REAL, REAL), {}, "virtual=True"),
        ((VIRTUAL, VIRTUAL), {}, "first credential"),
        ((REAL,), {"appkey": "x"}, "either"),
        ((), {"id": "a", "account": "00000000-01"}, "needs id, account, appkey and secretkey"),
        (
            (),
            {"id": "a", "account": "00000000-01", "appkey": "R" * 36, "secretkey": "r" * 180, "virtual_id": "a"},
            "virtual_appkey",
        ),
        ((), {"id": "a", "account": "bad", "appkey": "R" * 36, "secretkey": "r" * 180}, "NNNNNNNN-NN"),
    ],
)
def test_bad_configurations(args: tuple[object, ...], kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(KisCredentialError, match=message):
        PyKis(*args, **kwargs)  # type: ignore[arg-type]


def test_hosts_come_from_the_secret_file_or_the_argument(tmp_path: Path) -> None:
    custom = KisAuth(
        id="a",
        appkey="R" * 36,
        secretkey="r" * 180,
        account="00000000-01",
        rest_url="http://127.0.0.1:1",
        ws_url="ws://127.0.0.1:2",
    )
    with PyKis(custom) as kis:
        assert kis.hosts(Environment.REAL) == KisHosts("http://127.0.0.1:1", "ws://127.0.0.1:2")
    proxy = KisHosts("https://proxy.example:8443", "ws://proxy.example:21000")
    with PyKis(custom, hosts=proxy) as kis:
        assert kis.hosts(Environment.REAL) == proxy


def test_repr_shows_no_secret() -> None:
    with PyKis(REAL, VIRTUAL) as kis:
        text = repr(kis)
    assert "R" * 8 not in text
    assert "r" * 8 not in text
    assert "50000000-01" in text


async def test_async_client_takes_the_same_arguments(secrets: tuple[Path, Path]) -> None:
    async with AsyncPyKis(*secrets, keep_token=False) as kis:
        assert kis.virtual
        assert kis.environment_for(ORDER) is Environment.VIRTUAL


@pytest.mark.parametrize("client", [PyKis, AsyncPyKis])
def test_an_unknown_keyword_is_refused_as_a_signature_would(client: type[PyKis | AsyncPyKis]) -> None:
    options: dict[str, object] = {"id": "me", "account": "12345678-01", "appkey": "a" * 36, "secretkey": "b" * 180}
    with pytest.raises(TypeError, match="unexpected keyword argument 'keep_tokens'"):
        client(**options, keep_tokens=False)  # type: ignore[call-arg, arg-type]


@pytest.mark.skipif(sys.platform != "linux", reason="the hand-written XDG rule applies on Linux")
@pytest.mark.parametrize("xdg", [None, "", "   ", "/srv/cache", "relative/cache"])
def test_the_cache_directory_follows_the_xdg_rule(monkeypatch: pytest.MonkeyPatch, xdg: str | None) -> None:
    """On Linux the per-user cache directory is computed without importing platformdirs: ``$XDG_CACHE_HOME`` when
    it is an absolute path, else ``~/.cache`` — platformdirs' answer for every absolute or empty value (older
    platformdirs took a relative one too, which the XDG spec tells readers to ignore)."""
    from platformdirs import user_cache_path

    from pykis._client_config import default_cache_dir

    monkeypatch.delenv("PYKIS_CACHE_DIR", raising=False)
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    if xdg == "relative/cache":
        assert default_cache_dir() == Path.home() / ".cache" / "pykis"
    else:
        assert default_cache_dir() == user_cache_path("pykis", appauthor=False)
    monkeypatch.setenv("PYKIS_CACHE_DIR", "/elsewhere")
    assert default_cache_dir() == Path("/elsewhere")


@pytest.mark.parametrize("spelling", ["path", "str", "trailing separator", "dot"])
def test_the_shared_rate_limit_lives_beside_the_token_folder(tmp_path: Path, spelling: str) -> None:
    """However ``keep_token`` spells its folder, the rate limit's state is ``ratelimit`` beside it (the folder's
    lexical parent, as ``Path.parent`` names it): every process that keeps its tokens there shares the same one."""
    folder = tmp_path / "app" / "tokens"
    spellings: dict[str, str | Path] = {
        "path": folder,
        "str": str(folder),
        "trailing separator": f"{folder}/",
        "dot": f"{folder}/.",
    }
    keep = spellings[spelling]
    with PyKis(REAL, keep_token=keep):
        assert sorted(path.name for path in (tmp_path / "app").iterdir()) == ["ratelimit"]


def test_the_shared_rate_limit_of_the_default_token_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PYKIS_CACHE_DIR", str(tmp_path / "cache"))
    with PyKis(REAL, keep_token=True):
        assert (tmp_path / "cache" / "ratelimit").is_dir()

"""Configuration: every key checked, errors name the key, secrets refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from watcher.config import ConfigError, load_config, parse_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_repository_config_loads() -> None:
    """The config.toml shipped at the repo root is valid."""
    config = load_config(Path(__file__).parent.parent / "config.toml", environ={})
    assert config.watch.forces is None
    assert "peel-2023-25" in config.watch.cycles


def test_defaults_when_empty(tmp_path: Path) -> None:
    """An empty file gives the documented defaults."""
    config = load_config(write(tmp_path, ""), environ={})
    assert config.site.base_url == "https://hmicfrs.justiceinspectorates.gov.uk"
    assert config.http.max_concurrency == 2
    assert config.state.path == Path("state/watcher.db")


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[site]\nbase_url = 'https://x.example'\nallowed_hosts = ['y.example']", "allowed_hosts"),
        ("[watch]\nforcez = 'all'", "watch.forcez"),
        ("[watch]\nforces = ['kent', 'atlantis']", "atlantis"),
        ("[watch]\ncycles = ['peel-1999']", "watch.cycles"),
        ("[watch]\npages = ['no-slash']", "watch.pages"),
        ("[http]\ntimeout = 'soon'", "http.timeout"),
        ("[http]\nmax_concurrency = 0", "http.max_concurrency"),
        ("[http]\nretries = true", "http.retries"),
        ("[slack]\nchannel = ''", "slack.channel"),
        ("[bogus]\nx = 1", "bogus"),
        ("[site]\nbase_url = 'file:///etc/passwd'", "site.base_url"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, text: str, named: str) -> None:
    """A bad key or value stops with a message naming the key."""
    with pytest.raises(ConfigError, match=named):
        load_config(write(tmp_path, text), environ={})


@pytest.mark.parametrize("key", ["bot_token", "webhook_url"])
def test_secrets_are_refused(key: str) -> None:
    """A token-like key in the config is refused with a pointer to the environment."""
    with pytest.raises(ConfigError, match="environment") as caught:
        parse_config({"slack": {key: "xoxb-secret-value"}})
    assert "xoxb-secret-value" not in str(caught.value)


def test_environment_overrides(tmp_path: Path) -> None:
    """WATCHER_CONFIG picks the file and WATCHER_STATE overrides the state path."""
    path = write(tmp_path, "[watch]\nforces = ['kent']")
    config = load_config(environ={"WATCHER_CONFIG": str(path), "WATCHER_STATE": "/tmp/x.db"})
    assert config.watch.forces == ("kent",)
    assert config.state.path == Path("/tmp/x.db")


def test_missing_file_and_bad_toml(tmp_path: Path) -> None:
    """A missing file or broken TOML is a clear ConfigError."""
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml", environ={})
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[site"), environ={})


def test_fire_services_are_opt_in(tmp_path: Path) -> None:
    """Fire and rescue services are watched only when listed, or with "all"."""
    assert load_config(write(tmp_path, ""), environ={}).watch.services == ()
    listed = load_config(write(tmp_path, "[watch]\nservices = ['essex']"), environ={})
    assert listed.watch.services == ("essex",)
    every = load_config(write(tmp_path, "[watch]\nservices = 'all'"), environ={})
    assert every.watch.services is None
    with pytest.raises(ConfigError, match=r"watch\.services"):
        load_config(write(tmp_path, "[watch]\nservices = ['atlantis']"), environ={})


def test_misplaced_secret_values_are_not_echoed(tmp_path: Path) -> None:
    """A token or webhook URL put in the wrong key is never repeated in the error."""
    token = "xoxb-1234-5678-abcdefSECRET"
    hook = "https://hooks.slack.com/services/T000/B000/SECRETPART"
    for text in (f"[site]\nallowed_hosts = '{token}'", f"[http]\nuser_agent = ['{hook}']"):
        with pytest.raises(ConfigError) as caught:
            load_config(write(tmp_path, text), environ={})
        assert "SECRET" not in str(caught.value)
        assert "environment" in str(caught.value)

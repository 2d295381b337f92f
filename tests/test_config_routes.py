"""`[slack] ops_channel` and `[[slack.routes]]`: parsed into settings, every error names its key."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from watcher.cli import main
from watcher.config import ConfigError, SlackRoute, parse_config

VALID = """
[slack]
channel = "C0DEFAULT"
ops_channel = "C0OPS"

[[slack.routes]]
channel = "C0KENT"
forces = ["kent", "hampshire"]
thread = true

[[slack.routes]]
webhook_env = "SLACK_WEBHOOK_URL_NEWS"
kinds = ["monitoring_entered", "grade"]
directions = ["declined"]
mention = "@here"

[[slack.routes]]
channel = "C0SE"
regions = ["south-east"]
services = ["kent"]
mention = "S0TEAM1"
"""


def parsed(text: str) -> object:
    return parse_config(tomllib.loads(text))


def test_a_full_routing_config_parses() -> None:
    slack = parse_config(tomllib.loads(VALID)).slack
    assert slack.channel == "C0DEFAULT"
    assert slack.ops_channel == "C0OPS"
    assert slack.routes == (
        SlackRoute(0, channel="C0KENT", forces=frozenset({"kent", "hampshire"}), thread=True),
        SlackRoute(
            1,
            webhook_env="SLACK_WEBHOOK_URL_NEWS",
            kinds=frozenset({"monitoring_entered", "grade"}),
            directions=frozenset({"declined"}),
            mention="here",
        ),
        SlackRoute(
            2,
            channel="C0SE",
            regions=frozenset({"south-east"}),
            services=frozenset({"kent"}),
            mention="S0TEAM1",
        ),
    )
    assert slack.routes[2].label == "slack.routes[2]"


def route(body: str, before: int = 0) -> str:
    """A config whose route number `before` (from 0) has `body`; the others are fine."""
    fine = '[[slack.routes]]\nchannel = "C0FINE"\n'
    return "[slack]\n" + fine * before + "[[slack.routes]]\n" + body + "\n"


@pytest.mark.parametrize(
    ("text", "starts"),
    [
        (
            route('channel = "C0K"\nforces = ["kentt"]', 2),
            "slack.routes[2].forces: unknown force 'kentt'",
        ),
        (route('channel = "C0K"\nservices = ["kentt"]'), "slack.routes[0].services: unknown fire"),
        (
            route('channel = "C0K"\nregions = ["south"]', 1),
            "slack.routes[1].regions: unknown region 'south'",
        ),
        (
            route('channel = "C0K"\nkinds = ["grades"]'),
            "slack.routes[0].kinds: unknown change kind 'grades'",
        ),
        (
            route('channel = "C0K"\ndirections = ["down"]'),
            "slack.routes[0].directions: unknown direction",
        ),
        (route('channel = "C0K"\nforces = "kent"'), "slack.routes[0].forces must be a list"),
        (
            route('channel = "C0K"\nforces = [1]'),
            "slack.routes[0].forces must be a list of strings",
        ),
        (route('channel = "C0K"\nmention = "everyone!"'), "slack.routes[0].mention must be"),
        (route('channel = "C0K"\nthread = "yes"'), "slack.routes[0].thread must be true or false"),
        (route('channel = "C0K"\nforcez = ["kent"]', 1), "slack.routes[1].forcez: unknown key"),
        (route('forces = ["kent"]'), "slack.routes[0]: give channel"),
        (route('channel = "C0K"\nwebhook_env = "HOOK"'), "slack.routes[0]: give channel"),
        (route('webhook_env = "not a name"'), "slack.routes[0].webhook_env must name"),
        (route('channel = ""'), "slack.routes[0].channel must be a non-empty string"),
        ('[slack]\nops_channel = ""\n', "slack.ops_channel must be a non-empty string"),
        ("[slack]\nroutes = 3\n", "slack.routes must be an array of tables"),
    ],
)
def test_each_bad_route_names_its_key(text: str, starts: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parsed(text)
    assert str(raised.value).startswith(starts), str(raised.value)


def test_an_unknown_force_is_suggested_and_the_table_named_in_words() -> None:
    with pytest.raises(ConfigError) as raised:
        parsed(route('channel = "C0K"\nforces = ["kentt"]', 2))
    message = str(raised.value)
    assert "did you mean 'kent'?" in message
    assert "the third [[slack.routes]] table" in message
    with pytest.raises(ConfigError) as far:
        parsed(route('channel = "C0K"\nforces = ["zzzzzz"]'))
    assert "did you mean" not in str(far.value)


def test_a_webhook_url_in_a_route_is_refused_without_echoing_it() -> None:
    secret = "https://hooks.slack.com/services/T000/B000/abcdefSECRET"
    with pytest.raises(ConfigError) as raised:
        parsed(route(f'webhook_env = "{secret}"'))
    assert "slack.routes[0]" in str(raised.value)
    assert "SECRET" not in str(raised.value)


def test_the_cli_exits_2_naming_the_route(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(route('channel = "C0K"\nforces = ["kentt"]', 2), encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config), "check"], env={})
    assert result.exit_code == 2
    assert "slack.routes[2].forces: unknown force 'kentt'" in result.output

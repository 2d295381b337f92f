"""`[discover]` is checked like every section: a bad key or value names itself."""

from __future__ import annotations

import pytest

from watcher.config import ConfigError, DiscoverSettings, parse_config


def test_no_section_discovers_nothing() -> None:
    """A config without [discover] has no sources, so nothing is discovered."""
    assert parse_config({}).discover == DiscoverSettings()
    assert parse_config({}).discover.sources == ()


def test_section_is_read() -> None:
    """Sources, national and max_age_days are read as given."""
    raw = {"discover": {"sources": ["/publications/"], "national": False, "max_age_days": 7}}
    assert parse_config(raw).discover == DiscoverSettings(("/publications/",), False, 7)


@pytest.mark.parametrize(
    ("table", "named"),
    [
        ({"sourcez": []}, "discover.sourcez"),
        ({"sources": ["publications/"]}, "discover.sources"),
        ({"sources": "/publications/"}, "discover.sources"),
        ({"national": "yes"}, "discover.national"),
        ({"max_age_days": 0}, "discover.max_age_days"),
    ],
)
def test_bad_key_or_value_is_named(table: dict[str, object], named: str) -> None:
    """Each bad [discover] key or value is refused with its name."""
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        parse_config({"discover": table})

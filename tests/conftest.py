"""Shared fixtures: the fake HMICFRS site and the fake Slack, real servers on 127.0.0.1."""

pytest_plugins = ["tests.fake_archive", "tests.fake_site", "tests.fake_slack"]

"""Discovery end to end: `watcher check` reads listing pages on the fake site over real
sockets, posts to the fake Slack through slack-sdk, and keeps its state in SQLite.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.fake_site import FakeSite
from tests.fake_slack import FakeSlack
from tests.listings import MARKUPS, Entry, cards_page, feed_page, rss_feed, table_page
from watcher.cli import main

PUBLICATIONS = "/publications/"
NEWS = "/news/news-feed/"
LETTER_PAGE = (
    Path(__file__).parent
    / "fixtures"
    / "pages"
    / "kent-accelerated-cause-of-concern-letter.h2.html"
)
TODAY = datetime.now(UTC).date()

Runner = Callable[..., Result]

BASELINE = [
    Entry(
        "/publication-html/essex-police-peel-2025/",
        "PEEL 2025–27 – An inspection of Essex Police",
        published=TODAY - timedelta(days=3),
    ),
    Entry(
        "/publications/state-of-policing-2026/",
        "State of Policing: The Annual Assessment of Policing in England and Wales 2026",
        published=TODAY - timedelta(days=5),
    ),
    Entry(
        "/publication-html/kent-police-peel-2023-25-revisit/",
        "Kent Police: PEEL Cause of concern revisit letter",
        published=TODAY - timedelta(days=9),
    ),
]
NEWS_BASELINE = [
    Entry(
        "/news/news-feed/spotlight-on-stalking/",
        "Police response to stalking still not good enough, says inspectorate",
        label="News article",
        published=TODAY - timedelta(days=2),
    ),
]
KENT_LETTER = Entry(
    "/publication-html/kent-police-accelerated-cause-of-concern-letter/",
    "Kent Police: accelerated cause of concern",
    label="Publication — Letter, Accelerated cause of concern",
    published=TODAY,
)


def block_texts(message: dict[str, Any]) -> str:
    texts = []
    for block in message["blocks"]:
        if "text" in block:
            texts.append(block["text"]["text"])
        texts += [e.get("text", "") for e in block.get("elements", [])]
    return "\n".join(texts)


def write_config(
    path: Path, site: FakeSite, slack: FakeSlack, discover: str, services: str = "[]"
) -> Path:
    path.write_text(
        f"""
[site]
base_url = "{site.url("/").rstrip("/")}"
allowed_hosts = ["127.0.0.1"]
[watch]
forces = ["kent", "west-midlands"]
services = {services}
cycles = ["peel-2025-27"]
pages = []
[http]
delay = 0.0
timeout = 5.0
retries = 2
[slack]
channel = "C0TEST"
api_url = "{slack.api_url}"
[state]
path = "{path.parent / "state" / "watcher.db"}"
{discover}
""",
        encoding="utf-8",
    )
    return path


SOURCES = '[discover]\nsources = ["/news/news-feed/", "/publications/"]\n'


@pytest.fixture
def config_path(tmp_path: Path, fake_site: FakeSite, fake_slack: FakeSlack) -> Path:
    return write_config(tmp_path / "config.toml", fake_site, fake_slack, SOURCES)


def runner(config_path: Path, slack: FakeSlack, command: str = "check") -> Runner:
    env = {"SLACK_BOT_TOKEN": slack.token, "SLACK_WEBHOOK_URL": ""}

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(
            main, ["--config", str(config_path), command, *args], env=env, catch_exceptions=False
        )

    return invoke


@pytest.fixture
def check(config_path: Path, fake_slack: FakeSlack) -> Runner:
    return runner(config_path, fake_slack)


def publications_alerts(slack: FakeSlack) -> list[str]:
    return [block_texts(m) for m in slack.messages if "New publication" in m["text"]]


def items_in(config_path: Path) -> dict[str, tuple[str, str]]:
    db = sqlite3.connect(config_path.parent / "state" / "watcher.db")
    try:
        rows = db.execute("select path, organisations, outcome from discovered_items")
        return {path: (orgs, outcome) for path, orgs, outcome in rows}
    finally:
        db.close()


def serve(site: FakeSite, publications: bytes, news: bytes | None = None) -> None:
    site.set_page(PUBLICATIONS, publications)
    site.set_page(NEWS, news if news is not None else table_page(NEWS_BASELINE))


@pytest.mark.parametrize("markup", sorted(MARKUPS))
def test_first_read_silent_then_a_new_kent_item_alerted_once(
    markup: str, fake_site: FakeSite, fake_slack: FakeSlack, check: Runner, config_path: Path
) -> None:
    """A first read alerts nothing; a new Kent item is alerted once, its page then watched."""
    build = MARKUPS[markup]
    serve(fake_site, build(BASELINE))
    first = check()
    assert first.exit_code == 0, first.output
    assert fake_slack.messages == []  # the baseline, the catalogue's 404s: nothing to say

    fake_site.set_page(KENT_LETTER.path, LETTER_PAGE.read_bytes())
    serve(fake_site, build([KENT_LETTER, *BASELINE]))
    second = check()
    assert second.exit_code == 0, second.output
    [message] = fake_slack.messages
    assert message["text"].startswith("New publication about Kent Police: Kent Police: accelerated")
    text = block_texts(message)
    assert "Accelerated cause of concern" in text
    assert fake_site.url(KENT_LETTER.path) in text
    day = f"{TODAY.day} {TODAY.strftime('%b')} {TODAY.year}"
    assert day in text
    # Its page was read in the same run, silently: its first reading is the publication's.
    assert fake_site.requests_for(KENT_LETTER.path)

    third = check()
    assert third.exit_code == 0, third.output
    assert len(fake_slack.messages) == 1

    status = runner(config_path, fake_slack, "status")()
    assert "Discovered pages being watched" in status.output
    assert "accelerated" in status.output


def test_unwatched_force_fire_service_and_national_items(
    fake_site: FakeSite, fake_slack: FakeSlack, check: Runner, config_path: Path
) -> None:
    """Essex and Kent Fire items alert nobody; the national ones make one message."""
    serve(fake_site, cards_page(BASELINE))
    check()
    fire = Entry(
        "/publications/kent-fire-and-rescue-service-inspection-2026/",
        "Kent Fire and Rescue Service: effectiveness, efficiency and people 2025–27",
        label="Publication — Fire and rescue",
        published=TODAY,
    )
    essex = Entry(
        "/publication-html/essex-police-accelerated-cause-of-concern/",
        "Essex Police: accelerated cause of concern",
        published=TODAY,
    )
    thematic = Entry(
        "/publications/an-inspection-of-how-well-the-police-tackle-fraud/",
        "An inspection of how well the police tackle fraud",
        label="Publication — Thematic",
        published=TODAY,
    )
    article = Entry(
        "/news/news-feed/fraud-report-published/",
        "Fraud victims let down, inspectorate finds",
        label="News article",
        published=TODAY,
    )
    serve(
        fake_site,
        cards_page([fire, essex, thematic, *BASELINE]),
        table_page([article, *NEWS_BASELINE]),
    )
    result = check()
    assert result.exit_code == 0, result.output
    assert publications_alerts(fake_slack) == []
    [national] = fake_slack.messages
    assert national["text"].startswith("National publications: 2 new")
    text = block_texts(national)
    assert "tackle fraud" in text
    assert "Fraud victims let down" in text
    items = items_in(config_path)
    assert items[fire.path] == ('["frs/kent"]', "unwatched")
    assert items[essex.path] == ('["essex"]', "unwatched")


def test_a_watched_fire_service_is_not_taken_for_the_police(
    tmp_path: Path, fake_site: FakeSite, fake_slack: FakeSlack
) -> None:
    """With Kent's fire service watched, its report is about it, never about Kent Police."""
    config = write_config(tmp_path / "config.toml", fake_site, fake_slack, SOURCES, '["kent"]')
    check = runner(config, fake_slack)
    serve(fake_site, table_page(BASELINE))
    check()
    fire = Entry(
        "/publications/kent-fire-and-rescue-service-inspection-2026/",
        "Kent Fire and Rescue Service: effectiveness, efficiency and people 2025–27",
        label="Publication — Fire and rescue",
        published=TODAY,
    )
    serve(fake_site, table_page([fire, *BASELINE]))
    assert check().exit_code == 0
    [message] = fake_slack.messages
    assert message["text"].startswith("New publication about Kent Fire and Rescue Service:")
    assert "Kent Police" not in block_texts(message)


def test_outage_then_pages_back_and_alerts_each_item_once(
    fake_site: FakeSite, fake_slack: FakeSlack, check: Runner, config_path: Path
) -> None:
    """Items published while the listing was down are found on older pages and alerted once."""
    serve(fake_site, cards_page(BASELINE))
    check()
    fake_site.inject(PUBLICATIONS, status=503)
    down = check()
    assert down.exit_code == 1
    assert "/publications/" in down.output
    fresh = [
        Entry(
            f"/publication-html/kent-police-letter-{n}/",
            f"Kent Police: revisit letter number {n}",
            published=TODAY,
        )
        for n in range(7)
    ]
    # Three to a page: the outage's seven items fill pages 1-2 and open page 3.
    listed = [*fresh, *BASELINE]
    pages = [listed[i : i + 3] for i in range(0, len(listed), 3)]
    for number, entries in enumerate(pages, start=1):
        path = PUBLICATIONS if number == 1 else f"{PUBLICATIONS}page/{number}/"
        more = f"{PUBLICATIONS}page/{number + 1}/" if number < len(pages) else None
        fake_site.set_page(path, cards_page(entries, next_href=more))
    fake_site.faults.clear()
    back = check()
    assert back.exit_code == 0, back.output
    alerts = publications_alerts(fake_slack)
    assert len(alerts) == 7
    assert all(any(e.title in a for a in alerts) for e in fresh)
    assert fake_site.requests_for(f"{PUBLICATIONS}page/3/")
    assert not fake_site.requests_for(f"{PUBLICATIONS}page/4/")  # page 3 showed a known item

    again = check()
    assert again.exit_code == 0
    assert len(publications_alerts(fake_slack)) == 7


def test_reindex_storm_is_stored_silently_with_one_note(
    fake_site: FakeSite, fake_slack: FakeSlack, check: Runner, config_path: Path
) -> None:
    """Twenty items never seen at once: no publication alert, one note to the operator."""
    serve(fake_site, cards_page(BASELINE))
    check()
    storm = [
        Entry(
            f"/publication-html/kent-police-old-letter-{n}/",
            f"Kent Police: revisit letter {n}",
            published=TODAY,
        )
        for n in range(20)
    ]
    serve(fake_site, cards_page(storm))
    assert check().exit_code == 0
    assert publications_alerts(fake_slack) == []
    [note] = fake_slack.messages
    assert "20 items never seen before" in block_texts(note)
    assert all(items_in(config_path)[e.path][1] == "reindex" for e in storm)
    check()
    assert len(fake_slack.messages) == 1


def test_a_listing_that_reads_empty_is_unreadable_not_emptied(
    fake_site: FakeSite, fake_slack: FakeSlack, check: Runner, config_path: Path
) -> None:
    """A listing with no items where it had some fails this run; its baseline stays."""
    serve(fake_site, cards_page(BASELINE))
    check()
    fake_site.set_page(
        PUBLICATIONS,
        b"<html><body><main><h1>Publications</h1><p>Sorry, something went wrong.</p>"
        b"</main></body></html>",
    )
    empty = check()
    assert empty.exit_code == 1
    assert "reads as empty" in empty.output
    assert fake_slack.messages == []
    serve(fake_site, cards_page([KENT_LETTER, *BASELINE]))
    assert check().exit_code == 0
    assert len(publications_alerts(fake_slack)) == 1  # only the one truly new item


def test_a_feed_the_head_advertises_is_read(
    fake_site: FakeSite, fake_slack: FakeSlack, check: Runner
) -> None:
    """A listing drawn by script lists its items in the RSS feed its head names."""
    feed = "/publications/feed/"
    site = fake_site.url("/").rstrip("/")
    serve(fake_site, feed_page(feed))
    fake_site.set_page(feed, rss_feed(BASELINE, site), content_type="application/rss+xml")
    assert check().exit_code == 0
    assert fake_slack.messages == []
    fake_site.set_page(
        feed, rss_feed([KENT_LETTER, *BASELINE], site), content_type="application/rss+xml"
    )
    assert check().exit_code == 0
    [message] = publications_alerts(fake_slack)
    assert "Kent Police: accelerated cause of concern" in message


def test_old_items_are_stored_not_alerted(
    fake_site: FakeSite, fake_slack: FakeSlack, check: Runner, config_path: Path
) -> None:
    """An item never seen but listed with a date older than max_age_days is not news."""
    serve(fake_site, cards_page(BASELINE))
    check()
    old = Entry(
        "/publication-html/kent-police-2019-report/",
        "Kent Police: PEEL 2018/19 report",
        published=TODAY - timedelta(days=60),
    )
    serve(fake_site, cards_page([old, *BASELINE]))
    assert check().exit_code == 0
    assert fake_slack.messages == []
    assert items_in(config_path)[old.path][1] == "old"


def test_no_discover_section_reads_no_listing(
    tmp_path: Path, fake_site: FakeSite, fake_slack: FakeSlack
) -> None:
    """Without [discover], no listing is fetched: existing set-ups behave as before."""
    config = write_config(tmp_path / "config.toml", fake_site, fake_slack, "")
    serve(fake_site, cards_page(BASELINE))
    assert runner(config, fake_slack)().exit_code == 0
    assert not fake_site.requests_for(PUBLICATIONS)
    assert json.dumps(fake_slack.messages) == "[]"

"""The archive package's pure parts: CDX answers, which captures are worth reading, families."""

from __future__ import annotations

import json

import pytest

from watcher.archive import (
    CdxError,
    archived_addresses,
    cdx_query,
    family,
    parse_cdx,
    read_capture,
)
from watcher.archive.cdx import Capture, worth_reading
from watcher.catalogue import Page
from watcher.config import ConfigError, parse_config

from .pages import LegitimacyPage2017

LIVE = "https://hmicfrs.justiceinspectorates.gov.uk/peel-assessments/peel-2017/kent/legitimacy/"
HEADER = ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]


def _row(stamp: str, status: str = "200", digest: str = "D1") -> list[str]:
    return ["uk,gov)/x", stamp, LIVE, "text/html", status, digest, "100"]


def test_json_answer_with_resume_key() -> None:
    """A JSON answer's rows become captures; the row after the empty one is the resume key."""
    body = json.dumps([HEADER, _row("20170601000000"), [], ["KEY+1"]]).encode()
    page = parse_cdx(body)
    assert [c.timestamp for c in page.captures] == ["20170601000000"]
    assert page.resume_key == "KEY+1"


def test_plain_answer_with_resume_key() -> None:
    """The space-separated form, in the default field order, with its key after a blank line."""
    body = b"uk,gov)/x 20170601000000 " + LIVE.encode() + b" text/html 200 D1 100\n\nKEY2\n"
    page = parse_cdx(body)
    assert page.captures[0].original == LIVE
    assert page.captures[0].digest == "D1"
    assert page.resume_key == "KEY2"


def test_last_page_has_no_resume_key() -> None:
    """Without a trailing key the listing is complete."""
    assert parse_cdx(json.dumps([HEADER, _row("2017")]).encode()).resume_key is None
    assert parse_cdx(b"").captures == ()


@pytest.mark.parametrize(
    "body",
    [b"<html>busy</html>", b"[[1,2", json.dumps([HEADER, ["too", "short"]]).encode(), b"\xff"],
)
def test_garbled_answer_is_an_error(body: bytes) -> None:
    """An answer that is neither form is an error, never an empty list of captures."""
    with pytest.raises(CdxError):
        parse_cdx(body)


def test_only_successful_distinct_captures_oldest_first() -> None:
    """Redirects, 404s, repeated digests and captures before `since` are dropped."""
    captures = [
        Capture("20171212000000", LIVE, "200", "B"),
        Capture("20170601000000", LIVE, "200", "A"),
        Capture("20170701000000", LIVE, "301", "R"),
        Capture("20170801000000", LIVE, "404", "N"),
        Capture("20180101000000", LIVE.replace("https://hmicfrs.", "https://www."), "200", "B"),
        Capture("20150101000000", LIVE, "200", "OLD"),
    ]
    kept = worth_reading(captures, since=2016)
    assert [(c.timestamp, c.digest) for c in kept] == [
        ("20170601000000", "A"),
        ("20171212000000", "B"),
    ]


def test_every_prefix_is_looked_up_whatever_the_base() -> None:
    """A page is looked up under all three prefixes the site has used, from any host."""
    addresses = archived_addresses("http://127.0.0.1:9/peel-assessments/peel-2017/kent/")
    assert addresses == [
        "http://www.justiceinspectorates.gov.uk/hmic/peel-assessments/peel-2017/kent/",
        "https://www.justiceinspectorates.gov.uk/hmicfrs/peel-assessments/peel-2017/kent/",
        "https://hmicfrs.justiceinspectorates.gov.uk/peel-assessments/peel-2017/kent/",
    ]


def test_query_asks_for_successful_distinct_paged_captures() -> None:
    """The CDX query filters on 200, collapses digests and asks for resume keys."""
    query = cdx_query("https://web.archive.org/", LIVE, since=2016, resume_key="K")
    assert query.startswith("https://web.archive.org/cdx/search/cdx?")
    for part in ("filter=statuscode%3A200", "collapse=digest", "showResumeKey=true"):
        assert part in query
    assert "from=2016" in query
    assert "resumeKey=K" in query
    assert Capture("20170601000000", LIVE, "200", "A").address("https://a.org") == (
        f"https://a.org/web/20170601000000id_/{LIVE}"
    )


def test_family_blanks_the_organisation() -> None:
    """Report families name the path with the force or service left blank."""
    assert family(Page(LIVE, "kent", "peel-2017")) == (
        "/peel-assessments/peel-2017/{force}/legitimacy/"
    )
    report = Page("https://x.org/peel-reports/kent-2021-22/", "kent", "peel-2021-22")
    assert family(report) == "/peel-reports/{force}-2021-22/"
    fire = Page("https://x.org/frs-assessment/frs-2021/kent/", "frs/kent", "frs-2021")
    assert family(fire) == "/frs-assessment/frs-2021/{service}/"


def test_maintenance_capture_is_unreadable() -> None:
    """A capture of a graded page with no grades on it is not a reading of the page."""
    page = Page(LIVE, "kent", "peel-2017")
    reading = read_capture(page, b"<html><body><p>Planned maintenance</p></body></html>")
    assert reading.outcome == "unreadable"
    assert reading.readings == ()
    assert reading.reason


def test_good_capture_reads_fully() -> None:
    """A capture the parser reads without anomalies gives one reading for the page."""
    reading = read_capture(Page(LIVE, "kent", "peel-2017"), LegitimacyPage2017().html())
    assert reading.outcome == "full"
    [(subject, assessment)] = reading.readings
    assert subject == ""
    assert assessment.url == LIVE


def test_archive_config_defaults_and_errors() -> None:
    """[archive] defaults to the Wayback Machine every 2 s; bad keys are named."""
    config = parse_config({})
    assert config.archive.base_url == "https://web.archive.org"
    assert config.archive.rate == 2.0
    assert config.archive.allowed_hosts == ("web.archive.org",)
    with pytest.raises(ConfigError, match=r"archive\.rate"):
        parse_config({"archive": {"rate": -1}})
    with pytest.raises(ConfigError, match=r"archive\.base_url"):
        parse_config({"archive": {"base_url": "ftp://x"}})
    with pytest.raises(ConfigError, match=r"archive\.speed"):
        parse_config({"archive": {"speed": 1}})

"""The dashboard, the open-data exports and the Atom feed, drawn from a real state database.

The database is built by the real pipeline: `watcher demo --state` replays its archive
over HTTP on 127.0.0.1 into a SQLite file; `report`, `export` and `feed` then read it.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import sqlite3
import struct
import subprocess
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner, Result
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from tests.fake_site import FakeSite
from tests.fake_slack import FakeSlack
from tests.pages import LegitimacyPage2017
from watcher.cli import main
from watcher.models import (
    Assessment,
    Change,
    ChangeKind,
    Finding,
    FindingKind,
    Grade,
    Judgement,
    PageKind,
)
from watcher.outputs import atom_feed, build, render_dashboard, tables
from watcher.store import Snapshot, Store, StoredChange, open_database, open_readonly, snapshot

ROOT = Path(__file__).parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
README_COLUMNS = {
    "judgements": "organisation,cycle,unit,label,grade,first_seen,last_seen,page",
    "findings": "organisation,cycle,unit,kind,text,first_seen,resolved,page",
    "changes": "id,run_id,detected_at,organisation,cycle,kind,unit,label,before,after,"
    "direction,finding_kind,page",
}


@dataclass(frozen=True)
class State:
    path: Path
    folder: Path


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> State:
    """A state database the real pipeline built: the demo's five runs over local HTTP."""
    folder = tmp_path_factory.mktemp("outputs")
    path = folder / "watcher.db"
    env: dict[str, str | None] = {"SLACK_BOT_TOKEN": None, "SLACK_WEBHOOK_URL": None}
    env["WATCHER_CONFIG"] = None
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        result = CliRunner().invoke(main, ["demo", "--state", str(path)], env=env)
    assert result.exit_code == 0, result.output
    return State(path, folder)


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"WATCHER_CONFIG": None})


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- export


def test_export_writes_tidy_csv_tables_read_back_by_csv(state: State, tmp_path: Path) -> None:
    """judgements, findings and changes come back through csv with the README's columns."""
    result = run("export", str(tmp_path / "out"), "--state", str(state.path))
    assert result.exit_code == 0, result.output
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, header in README_COLUMNS.items():
        with (tmp_path / "out" / f"{name}.csv").open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            rows = list(reader)
        assert ",".join(reader.fieldnames or []) == header
        assert f"`{name}.csv`" in readme
        assert header.replace(",", ", ") in readme
        assert rows, name
    with (tmp_path / "out" / "judgements.csv").open(newline="", encoding="utf-8") as f:
        judgements = list(csv.DictReader(f))
    legitimacy = [
        r for r in judgements if r["organisation"] == "cumbria" and r["unit"] == "legitimacy"
    ]
    assert [r["grade"] for r in legitimacy] == ["Not yet graded", "Good"]
    assert legitimacy[0]["last_seen"] < legitimacy[1]["first_seen"]


def test_export_changes_match_the_database(state: State, tmp_path: Path) -> None:
    """Every recorded change is a row, with its run and detection time."""
    assert run("export", str(tmp_path), "--state", str(state.path)).exit_code == 0
    with (tmp_path / "changes.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    db = sqlite3.connect(state.path)
    stored = {
        r[0]: (str(r[1]), r[2]) for r in db.execute("select id, run_id, detected_at from changes")
    }
    db.close()
    assert {r["id"]: (r["run_id"], r["detected_at"]) for r in rows} == stored
    declined = [r for r in rows if r["direction"] == "declined"]
    assert declined
    assert {(r["organisation"], r["after"]) for r in declined} == {
        ("essex", "requires_improvement"),
        ("hampshire", "requires_improvement"),
    }


def test_export_json_holds_the_same_rows_as_csv(state: State, tmp_path: Path) -> None:
    """--format json writes arrays of objects equal to the CSV rows."""
    assert run("export", str(tmp_path / "c"), "--state", str(state.path)).exit_code == 0
    result = run("export", str(tmp_path / "j"), "--format", "json", "--state", str(state.path))
    assert result.exit_code == 0, result.output
    for name in README_COLUMNS:
        with (tmp_path / "c" / f"{name}.csv").open(newline="", encoding="utf-8") as f:
            from_csv = list(csv.DictReader(f))
        assert json.loads((tmp_path / "j" / f"{name}.json").read_text("utf-8")) == from_csv


def test_outputs_only_read_the_state(state: State, tmp_path: Path) -> None:
    """report, export and feed leave the database file byte for byte as it was."""
    before = digest(state.path)
    assert (
        run("report", "--html", str(tmp_path / "r.html"), "--state", str(state.path)).exit_code == 0
    )
    assert run("export", str(tmp_path / "x"), "--state", str(state.path)).exit_code == 0
    assert run("feed", str(tmp_path / "f.atom"), "--state", str(state.path)).exit_code == 0
    assert digest(state.path) == before


def test_outputs_without_a_state_database_cannot_run(tmp_path: Path) -> None:
    """No database yet: exit 2 with the reason, and no file written."""
    missing = str(tmp_path / "none.db")
    for args in (["report", "--html", str(tmp_path / "r.html")], ["export", str(tmp_path / "x")],
                 ["feed", str(tmp_path / "f.atom")]):  # fmt: skip
        result = run(*args, "--state", missing)
        assert result.exit_code == 2
        assert "no state database" in result.output
    assert not (tmp_path / "r.html").exists()


# ---------------------------------------------------------------- feed


def test_feed_parses_as_atom_with_stable_ids_and_links(state: State, tmp_path: Path) -> None:
    """feedparser reads the feed cleanly; ids are URNs that stay the same; links lead to pages."""
    first, second = tmp_path / "a.atom", tmp_path / "b.atom"
    assert run("feed", str(first), "--state", str(state.path)).exit_code == 0
    assert run("feed", str(second), "--state", str(state.path)).exit_code == 0
    feed = feedparser.parse(first.read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    ids = [e.id for e in feed.entries]
    assert ids
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("urn:uuid:") for i in ids)
    assert ids == [e.id for e in feedparser.parse(second.read_bytes()).entries]
    assert all(e.link.startswith("http://127.0.0.1:") for e in feed.entries)
    updated = [e.updated_parsed for e in feed.entries]
    assert updated == sorted(updated, reverse=True)
    titles = [e.title for e in feed.entries]
    assert "Essex Police: 1 change" in titles
    assert any("Hampshire" in t for t in titles)


def test_export_and_feed_for_named_organisations_only(state: State, tmp_path: Path) -> None:
    """--force keeps the tables' rows and the feed's entries to those organisations (aliases
    resolved); the feed says whose it is and has an id of its own; a wrong slug exits 2."""
    db = str(state.path)
    assert run("export", str(tmp_path / "all"), "--state", db).exit_code == 0
    only = run("export", str(tmp_path / "two"), "--force", "essex", "--force", "cumbria",
               "--force", "Essex", "--state", db)  # fmt: skip
    assert only.exit_code == 0, only.output
    for name in README_COLUMNS:
        with (tmp_path / "all" / f"{name}.csv").open(newline="", encoding="utf-8") as f:
            every = list(csv.DictReader(f))
        with (tmp_path / "two" / f"{name}.csv").open(newline="", encoding="utf-8") as f:
            some = list(csv.DictReader(f))
        assert some, name
        assert {r["organisation"] for r in some} <= {"essex", "cumbria"}, name
        assert name != "judgements" or {r["organisation"] for r in some} == {"essex", "cumbria"}
        assert some == [r for r in every if r["organisation"] in ("essex", "cumbria")], name

    whole, essex = tmp_path / "all.atom", tmp_path / "essex.atom"
    assert run("feed", str(whole), "--state", db).exit_code == 0
    assert run("feed", str(essex), "--force", "essex", "--state", db).exit_code == 0
    every_entry, essex_feed = (
        feedparser.parse(whole.read_bytes()),
        feedparser.parse(essex.read_bytes()),
    )
    assert not essex_feed.bozo
    assert essex_feed.feed.title.endswith(": Essex Police")
    assert essex_feed.feed.id != every_entry.feed.id
    assert [e.id for e in essex_feed.entries] == [
        e.id for e in every_entry.entries if e.title.startswith("Essex Police")
    ]
    assert essex_feed.entries
    again = tmp_path / "again.atom"
    assert run("feed", str(again), "--force", "essex", "--state", db).exit_code == 0
    assert feedparser.parse(again.read_bytes()).feed.id == essex_feed.feed.id

    for command in (["export", str(tmp_path / "x")], ["feed", str(tmp_path / "x.atom")]):
        bad = run(*command, "--force", "atlantis", "--state", db)
        assert bad.exit_code == 2
        assert "--force atlantis" in bad.output
        assert not (tmp_path / "x").exists()
        assert not (tmp_path / "x.atom").exists()


def _change(n: int, text: str = "") -> StoredChange:
    change = Change(
        ChangeKind.FINDING_ADDED, f"https://example.org/p/{n}", f"force-{n}", "peel-2023-25",
        "responding", "Responding", None, text or f"finding {n}",
        finding_kind=FindingKind.AREA_FOR_IMPROVEMENT,
    )  # fmt: skip
    return StoredChange(change.id, n, datetime(2025, 1, 1, tzinfo=UTC).replace(minute=n % 60,
                        hour=n // 60).isoformat(), change)  # fmt: skip


def test_feed_keeps_the_newest_hundred_digests() -> None:
    """150 digests: the feed has the newest 100, newest first."""
    text = atom_feed([_change(n) for n in range(150)], generated=datetime.now(UTC))
    feed = feedparser.parse(text.encode())
    assert not feed.bozo
    assert len(feed.entries) == 100
    assert feed.entries[0].title == "Force 149: 1 change"
    assert feed.entries[-1].title == "Force 50: 1 change"


def test_feed_keeps_hostile_page_text_as_text() -> None:
    """Markup and control characters a page wrote stay text and the feed stays valid XML."""
    hostile = "<script>alert(1)</script> & \x00\x07 ]]> \ufffe end"
    feed = feedparser.parse(atom_feed([_change(1, hostile)], generated=datetime.now(UTC)).encode())
    assert not feed.bozo, feed.get("bozo_exception")
    assert "<script>alert(1)</script> &" in feed.entries[0].summary
    assert "end" in feed.entries[0].summary


def test_feed_leaves_out_page_health_and_empty_feed_is_valid() -> None:
    """Pages unreachable are the operator's: no entry; a feed of nothing still parses."""
    health = Change(ChangeKind.PAGE_UNREACHABLE, "https://example.org/p", "kent", "peel-2017")
    stored = StoredChange(health.id, 1, "2025-01-01T00:00:00+00:00", health)
    feed = feedparser.parse(atom_feed([stored], generated=datetime.now(UTC)).encode())
    assert not feed.bozo
    assert feed.entries == []


# ---------------------------------------------------------------- dashboard


@pytest.fixture(scope="module")
def report(state: State) -> Path:
    """`watcher report --html` on the demo's state."""
    path = state.folder / "report.html"
    result = run("report", "--html", str(path), "--state", str(state.path))
    assert result.exit_code == 0, result.output
    return path


def test_report_is_self_contained(report: Path) -> None:
    """No scripts, external styles, fonts or images: the file opens anywhere alone."""
    page = report.read_text(encoding="utf-8")
    tree = HTMLParser(page)
    assert tree.css("script") == []
    assert tree.css("link") == []
    assert tree.css("img") == []
    assert not re.search(r"@import|url\(|@font-face|\bsrc=", page)
    assert len(tree.css("style")) == 1


def test_report_cells_give_the_grade_in_words(report: Path) -> None:
    """Each grade cell says its grade; tables have captions and header cells with scope."""
    tree = HTMLParser(report.read_text(encoding="utf-8"))
    tables_ = tree.css("table.grades")
    assert len(tables_) >= 5  # one per watched cycle
    words = {g.label for g in Grade} | {"—"}
    for table in tables_:
        assert table.css_first("caption") is not None
        assert all(th.attributes.get("scope") in ("col", "row") for th in table.css("th"))
        cells = table.css("td.cell")
        assert cells
        assert all(c.text(strip=True) in words for c in cells)
    kent = next(t for t in tables_ if "PEEL 2025–27" in t.css_first("caption").text())
    assert "Outstanding" in [c.text() for c in kent.css("td.cell")]


def test_report_shows_timeline_monitoring_changes_and_provenance(report: Path) -> None:
    """Cumbria's legitimacy over time, Essex in Engage, changes with links, the run id."""
    page = report.read_text(encoding="utf-8")
    tree = HTMLParser(page)
    cumbria = tree.css_first("#org-cumbria")
    assert cumbria is not None
    legitimacy = next(r for r in cumbria.css("tr") if "Legitimacy" in r.text())
    assert [s.text(separator="|").split("|")[0] for s in legitimacy.css(".step")] == [
        "Not yet graded",
        "Good",
    ]
    assert "Not in Engage" in cumbria.text()  # it left the list
    essex = tree.css_first("#org-essex")
    assert essex is not None
    assert "Engage" in essex.text()
    assert "Not in" not in essex.text()
    links = [a.attributes.get("href") or "" for a in tree.css("table.changes a")]
    assert links
    assert all(link.startswith("http://127.0.0.1:") for link in links)
    assert re.search(r"Generated \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00 after run 5", page)


def test_report_for_named_forces_only(state: State, tmp_path: Path) -> None:
    """--force limits the page to those organisations; an unknown slug exits 2 naming it."""
    path = tmp_path / "kent.html"
    result = run("report", "--html", str(path), "--force", "kent", "--state", str(state.path))
    assert result.exit_code == 0, result.output
    tree = HTMLParser(path.read_text(encoding="utf-8"))
    assert [s.attributes["id"] for s in tree.css("section.organisation")] == ["org-kent"]
    bad = run("report", "--html", str(path), "--force", "atlantis", "--state", str(state.path))
    assert bad.exit_code == 2
    assert "atlantis" in bad.output


def test_report_escapes_page_text_and_orders_archived_readings_by_date(tmp_path: Path) -> None:
    """Markup in page text is shown as text; a reading archived later but older comes first."""
    url = "https://example.org/peel-reports/kent/"
    label = "<script>alert('x')</script> Responding"

    def kent(grade: Grade) -> Assessment:
        return Assessment(
            "kent", "peel-2023-25", PageKind.PEEL_REPORT, url,
            judgements=(Judgement("responding", label, grade),),
            findings=(Finding(FindingKind.CAUSE_OF_CONCERN, "responding", "<b>x</b>"),),
        )  # fmt: skip

    db = open_database(tmp_path / "watcher.db")
    store = Store(db)
    for grade, when in ((Grade.ADEQUATE, datetime(2025, 6, 1, 7, tzinfo=UTC)),
                        (Grade.GOOD, datetime(2023, 1, 1, tzinfo=UTC))):  # fmt: skip
        run_id = store.start_run(when)
        store.record_assessment(
            run_id=run_id, url=url, status=200, body=str(grade).encode(), validators={},
            readings=[("", kent(grade))], changes=[], now=when,
        )  # fmt: skip
        store.finish_run(run_id, when, outcome="ok")
    db.close()
    ro = open_readonly(tmp_path / "watcher.db")
    snap = snapshot(ro)
    ro.close()
    page = render_dashboard(build(snap, generated=datetime(2025, 6, 2, tzinfo=UTC)))
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Responding" in page
    tree = HTMLParser(page)
    steps = [s.text(separator="|").split("|")[0] for s in tree.css("#org-kent .step")]
    assert steps == ["Good", "Adequate"]
    assert [c.text() for c in tree.css("table.grades td.cell")] == ["Adequate"]
    judgements = next(t for t in tables(snap) if t.name == "judgements").rows
    assert [(r["grade"], r["first_seen"][:4]) for r in judgements] == [
        ("Good", "2023"),
        ("Adequate", "2025"),
    ]


def test_report_of_an_empty_state_says_so() -> None:
    """A database with no readings yet draws a page that says nothing is stored."""
    snap = Snapshot((), (), {}, None)
    page = render_dashboard(build(snap, generated=datetime(2025, 6, 2, tzinfo=UTC)))
    assert "No grades stored yet." in page
    assert "no run recorded yet" in page
    assert "The monitoring list has not been read yet." in page


def test_demo_report_is_drawn_by_the_dashboard_templates(report: Path, tmp_path: Path) -> None:
    """The demo's --html and the dashboard share one layout and stylesheet."""

    def style(text: str) -> str:
        found = HTMLParser(text).css_first("style")
        assert found is not None
        return found.text()

    demo_html = tmp_path / "demo.html"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        result = CliRunner().invoke(
            main, ["demo", "--html", str(demo_html)],
            env={"SLACK_BOT_TOKEN": None, "SLACK_WEBHOOK_URL": None, "WATCHER_CONFIG": None},
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert style(demo_html.read_text("utf-8")) == style(report.read_text("utf-8"))


# ---------------------------------------------------------------- datasette


def canned_queries() -> dict[str, str]:
    """The canned queries' SQL from docs/datasette.yml (its `sql: |-` block scalars)."""
    lines = (ROOT / "docs" / "datasette.yml").read_text(encoding="utf-8").splitlines()
    queries: dict[str, str] = {}
    name = ""
    for i, line in enumerate(lines):
        if re.fullmatch(r" {6}[a-z_]+:", line):
            name = line.strip().rstrip(":")
        if line.strip() == "sql: |-":
            indent = len(line) - len(line.lstrip()) + 2
            block = []
            for following in lines[i + 1 :]:
                if following.strip() and len(following) - len(following.lstrip()) < indent:
                    break
                block.append(following[indent:])
            queries[name] = "\n".join(block)
    return queries


def test_datasette_canned_queries_run_against_the_state(state: State) -> None:
    """Each canned query runs in SQLite on a real state database and finds what it should."""
    queries = canned_queries()
    assert set(queries) == {"force_grades_over_time", "declines_this_year", "forces_in_engage"}
    db = sqlite3.connect(f"{state.path.resolve().as_uri()}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    grades = db.execute(queries["force_grades_over_time"], {"force": "cumbria"}).fetchall()
    assert ("legitimacy", "good") in {(r["unit"], r["grade"]) for r in grades}
    db.execute(queries["declines_this_year"]).fetchall()  # the demo's runs were in 2025
    in_2025 = queries["declines_this_year"].replace("strftime('%Y-01-01', 'now')", "'2025-01-01'")
    assert sorted(r["organisation"] for r in db.execute(in_2025)) == ["essex", "hampshire"]
    engaged = [r["organisation"] for r in db.execute(queries["forces_in_engage"])]
    assert engaged == ["essex"]
    db.close()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "datasette state/watcher.db -m docs/datasette.yml" in readme


# ---------------------------------------------------------------- browser


def png_colours(data: bytes) -> int:
    """How many distinct pixel values an 8-bit RGB(A) PNG has (decoded with zlib alone)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        header = chunk if kind == b"IHDR" else header
        idat += chunk if kind == b"IDAT" else b""
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8
    assert colour in (2, 6)
    size = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(idat), width * size
    previous, seen = bytearray(stride), set()
    for y in range(height):
        kind, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for x in range(stride):
            a = line[x - size] if x >= size else 0
            b, c = previous[x], previous[x - size] if x >= size else 0
            line[x] = (line[x] + _predict(kind, a, b, c)) & 0xFF
        seen.update(bytes(line[i : i + size]) for i in range(0, stride, size * 7))
        previous = line
    return len(seen)


def _predict(kind: int, a: int, b: int, c: int) -> int:
    if kind == 0:
        return 0
    if kind in (1, 2, 3):
        return (a, b, (a + b) // 2)[kind - 1]
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium: apt-get install chromium")
def test_report_renders_in_headless_chromium(report: Path, tmp_path: Path) -> None:
    """Chromium draws the dashboard: its tables in the DOM, and a screenshot far from blank."""
    assert CHROMIUM is not None
    flags = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,2000",
    ]  # fmt: skip
    url = report.resolve().as_uri()
    dom = subprocess.run(
        [*flags, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    assert dom.count('<table class="grades">') >= 5
    assert 'class="cell g-outstanding"' in dom
    screenshot = tmp_path / "report.png"
    subprocess.run(
        [*flags, f"--screenshot={screenshot}", url], capture_output=True, timeout=120, check=True
    )
    assert png_colours(screenshot.read_bytes()) > 50


# ---------------------------------------------------------------- a page failing now

LEGITIMACY = "/peel-assessments/peel-2017/kent/legitimacy/"


def test_report_marks_a_failing_page_stale_and_never_drops_its_grades(
    fake_site: FakeSite, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    """A page answering 503 keeps its last good grades, marked as such, and is listed."""
    config = tmp_path / "config.toml"
    config.write_text(
        f"""
[site]
base_url = "{fake_site.url("/").rstrip("/")}"
allowed_hosts = ["127.0.0.1"]
[watch]
forces = ["kent"]
cycles = ["peel-2017"]
pages = []
[http]
delay = 0.0
timeout = 5.0
retries = 1
[slack]
channel = "C0TEST"
api_url = "{fake_slack.api_url}"
[state]
path = "{tmp_path / "watcher.db"}"
""",
        encoding="utf-8",
    )
    env = {"SLACK_BOT_TOKEN": fake_slack.token, "SLACK_WEBHOOK_URL": "", "WATCHER_CONFIG": None}

    def watcher(*args: str) -> Result:
        return CliRunner().invoke(main, ["--config", str(config), *args], env=env)

    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    first = watcher("check")
    assert first.exit_code == 0, first.output
    fake_site.inject(LEGITIMACY, status=503)
    assert watcher("check").exit_code == 1
    report = tmp_path / "report.html"
    result = watcher("report", "--html", str(report))
    assert result.exit_code == 0, result.output
    tree = HTMLParser(report.read_text(encoding="utf-8"))
    [cell] = tree.css("table.grades td.cell")
    assert cell.text(separator="|").split("|")[0].strip() == "Outstanding"
    stale = cell.css_first(".stale")
    assert stale is not None
    assert "page failing since" in stale.text()
    failing = next(t for t in tree.css("table.changes") if "failed" in t.text())
    assert fake_site.url(LEGITIMACY) in failing.text()
    assert "503" in failing.text()
    assert watcher("export", str(tmp_path / "x")).exit_code == 0
    with (tmp_path / "x" / "judgements.csv").open(newline="", encoding="utf-8") as f:
        assert [r["grade"] for r in csv.DictReader(f) if r["unit"] == "legitimacy"] == [
            "Outstanding"
        ]

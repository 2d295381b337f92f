"""A gzip-encoded page: inflated within the cap, refused when damaged, stored as sent.

The site compresses its pages. The fetcher inflates a gzip body itself, bounded as it
grows, and the store keeps the member's deflate data in a zlib wrapper instead of
compressing the page again: the stored body must still be exactly the page.
"""

from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path

import pytest

from tests.fake_site import FakeSite
from tests.fake_slack import FakeSlack
from tests.fault_kit import (  # noqa: F401 -- no_backoff is an autouse fixture
    GRADE_CHANGE,
    LEGITIMACY,
    Tally,
    check_here,
    no_backoff,
    page_row,
    query,
    tally,
    write_config,
)
from tests.pages import LegitimacyPage2017
from watcher.fetch.gzipped import GzipBody, GzipError
from watcher.store.bodies import pack_body, unpack_body

PAGE = LegitimacyPage2017().html()
CHANGED = LegitimacyPage2017(pillar_grade="Good").html()


def _member(body: bytes, *, flags: int = 0, extra: bytes = b"", name: bytes = b"",
            comment: bytes = b"", level: int = 6) -> bytes:  # fmt: skip
    """A gzip member written by hand, with whichever optional header fields are asked."""
    header = b"\x1f\x8b\x08" + bytes([flags]) + struct.pack("<I", 0) + b"\x00\xff"
    if flags & 0x04:
        header += struct.pack("<H", len(extra)) + extra
    if flags & 0x08:
        header += name + b"\x00"
    if flags & 0x10:
        header += comment + b"\x00"
    if flags & 0x02:
        header += struct.pack("<H", zlib.crc32(header) & 0xFFFF)
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    deflated = compressor.compress(body) + compressor.flush()
    return header + deflated + struct.pack("<II", zlib.crc32(body), len(body) & 0xFFFFFFFF)


HEADERS = {
    "plain": {},
    "extra field": {"flags": 0x04, "extra": b"AP\x02\x00hi"},
    "file name": {"flags": 0x08, "name": b"page.html"},
    "comment": {"flags": 0x10, "comment": b"made by nginx"},
    "header CRC": {"flags": 0x02},
    "every field": {"flags": 0x1E, "extra": b"x" * 40, "name": b"a", "comment": b"b"},
}


@pytest.mark.parametrize("fields", HEADERS.values(), ids=HEADERS.keys())
def test_a_member_is_kept_as_its_deflate_data_and_gives_the_page_back(fields: dict) -> None:
    member = _member(PAGE, **fields)
    assert gzip.decompress(member) == PAGE  # the hand-written member is a real one
    packed = pack_body(PAGE, member)
    assert unpack_body(packed) == PAGE
    assert packed != zlib.compress(PAGE, 1)  # kept, not compressed again
    assert packed[2:-4] in member


@pytest.mark.parametrize(
    "member",
    [
        gzip.compress(PAGE) + gzip.compress(b"<p>more</p>"),  # two members: one body
        gzip.compress(PAGE)[:-4],  # no whole trailer
        gzip.compress(PAGE[:-1]),  # another body
        b"\x1f\x8b\x08\x08" + b"\x00" * 6 + b"no end to the name",  # header runs out
        b"not gzip at all",
    ],
    ids=["two members", "cut trailer", "another body", "cut header", "not gzip"],
)
def test_anything_but_the_member_of_this_body_is_compressed_anew(member: bytes) -> None:
    assert pack_body(PAGE, member) == zlib.compress(PAGE, 1)


def _fed(raw: bytes, chunk: int, cap: int = 10_000_000) -> tuple[bytes, bytes | None]:
    body = GzipBody(cap)
    for start in range(0, len(raw), chunk):
        body.feed(raw[start : start + chunk])
    return body.finish()


@pytest.mark.parametrize("chunk", [1, 13, 4096, 1 << 20])
def test_a_body_inflates_the_same_in_chunks_of_any_size(chunk: int) -> None:
    member = gzip.compress(PAGE)
    assert _fed(member, chunk) == (PAGE, member)
    two = member + gzip.compress(b"<!-- tail -->")
    assert _fed(two, chunk) == (PAGE + b"<!-- tail -->", None)  # one body, no member kept
    assert _fed(member + bytes(7), chunk) == (PAGE, None)  # padding after it: ignored


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (gzip.compress(PAGE)[:-100], "cut short"),
        (gzip.compress(PAGE)[:200] + b"\xff" * 64 + gzip.compress(PAGE)[264:], "damaged"),
        (b"<html><body>sent plain, labelled gzip</body></html>", "damaged"),
        (gzip.compress(bytes(50_000_000)), "body over 1000000 bytes"),
    ],
    ids=["cut short", "damaged", "not gzip", "gzip bomb"],
)
def test_a_body_that_is_not_its_gzip_is_refused(raw: bytes, reason: str) -> None:
    with pytest.raises(GzipError, match=reason):
        _fed(raw, 4096, cap=1_000_000)


@pytest.fixture
def config(tmp_path: Path, fake_site: FakeSite, fake_slack: FakeSlack) -> Path:
    return write_config(tmp_path, fake_site.url("/"), fake_slack.api_url, timeout=0.5)


@pytest.fixture
def env(fake_slack: FakeSlack) -> dict[str, str]:
    return {"SLACK_BOT_TOKEN": fake_slack.token, "SLACK_WEBHOOK_URL": ""}


def _serve_gzipped(site: FakeSite, body: bytes) -> None:
    site.set_page(LEGITIMACY, body, headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})


def test_a_gzipped_site_is_read_stored_as_sent_and_a_damaged_body_is_unknown(
    fake_site: FakeSite, fake_slack: FakeSlack, config: Path, env: dict[str, str]
) -> None:
    member = gzip.compress(PAGE, 6)
    _serve_gzipped(fake_site, member)
    assert check_here(config, env).exit_code == 0
    [request] = fake_site.requests_for(LEGITIMACY)
    assert "gzip" in request.headers["accept-encoding"]
    row = page_row(config)
    [stored] = query(config, "select body from bodies where sha256 = ?", [row["body_sha256"]])
    assert zlib.decompress(stored["body"]) == PAGE
    assert stored["body"][2:-4] == member[10:-8]  # the server's deflate data, as sent
    baseline = len(fake_slack.messages)

    damaged = bytearray(gzip.compress(CHANGED, 6))
    damaged[len(damaged) // 2] ^= 0xFF
    _serve_gzipped(fake_site, bytes(damaged))
    faulty = check_here(config, env)
    assert faulty.exit_code == 1, faulty.output
    assert "damaged gzip body" in page_row(config)["last_error"]
    assert len(fake_slack.messages) == baseline  # unknown this time: nothing said

    _serve_gzipped(fake_site, gzip.compress(bytes(30_000_000)))
    assert check_here(config, env).exit_code == 1
    assert "body over" in page_row(config)["last_error"]

    _serve_gzipped(fake_site, gzip.compress(CHANGED, 6))
    assert check_here(config, env).exit_code == 0
    counts = tally(fake_slack.messages[baseline:], [GRADE_CHANGE])
    assert counts == Tally(expected=1, delivered=1, duplicates=0, false_alerts=0)

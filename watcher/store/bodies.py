"""How the bodies table keeps a raw page: addressed by its SHA-256, compressed with zlib."""

from __future__ import annotations

import hashlib
import zlib

# RFC 1952: the fixed header, its flags, and the CRC-32 and size that end a member.
_GZIP_MAGIC = b"\x1f\x8b\x08"
_FHCRC, _FEXTRA, _FNAME, _FCOMMENT = 0x02, 0x04, 0x08, 0x10
_GZIP_HEADER, _GZIP_TRAILER = 10, 8
# RFC 1950: deflate with a 32 KiB window (the most a gzip member may use), "fastest".
_ZLIB_HEADER = b"\x78\x01"


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def pack_body(body: bytes, gzipped: bytes | None = None) -> bytes:
    """A raw body as the bodies table keeps it (zlib, the fastest level: ~4x smaller).

    `gzipped`: the body as the server sent it (Content-Encoding: gzip), if it did.
    Its deflate data is kept as it is, in a zlib wrapper, instead of compressing the
    body again: about a fifth of the work. It is used only if it gives back exactly
    `body`; anything else (several members, a damaged member) is compressed anew.

    Pure and thread-safe, and zlib lets go of the GIL while it works: the check packs
    a body on another thread while the page is parsed (`record_assessment(packed=...)`).
    """
    if gzipped is not None and (rewrapped := _rewrapped(gzipped, body)) is not None:
        return rewrapped
    return zlib.compress(body, 1)


def unpack_body(packed: bytes) -> bytes:
    return zlib.decompress(packed)


def _rewrapped(gzipped: bytes, body: bytes) -> bytes | None:
    """The gzip member's deflate data as a zlib stream of `body`, or None.

    The member's trailer must give `body`'s CRC-32 and size, and the data must begin
    by inflating to `body`'s first bytes (so the header was read right). Inflating it
    all again would cost most of what the rewrapping saves; `fetch` has inflated the
    member whole and checked its CRC on the way in.
    """
    start = _deflate_start(gzipped)
    if start is None or len(gzipped) < start + _GZIP_TRAILER:
        return None
    trailer = gzipped[-_GZIP_TRAILER:]
    crc, size = int.from_bytes(trailer[:4], "little"), int.from_bytes(trailer[4:], "little")
    if crc != zlib.crc32(body) or size != len(body) & 0xFFFFFFFF:
        return None
    deflated = gzipped[start:-_GZIP_TRAILER]
    try:
        opening = zlib.decompressobj(-zlib.MAX_WBITS).decompress(deflated, _PROBE)
    except zlib.error:
        return None
    if opening != body[:_PROBE]:
        return None
    return _ZLIB_HEADER + deflated + zlib.adler32(body).to_bytes(4, "big")


# How much of the body the deflate data is checked to begin with.
_PROBE = 256


def _deflate_start(gzipped: bytes) -> int | None:
    """Where a gzip member's deflate data begins, past its optional header fields."""
    if len(gzipped) < _GZIP_HEADER or not gzipped.startswith(_GZIP_MAGIC):
        return None
    flags, at = gzipped[3], _GZIP_HEADER
    if flags & _FEXTRA:
        if len(gzipped) < at + 2:
            return None
        at += 2 + int.from_bytes(gzipped[at : at + 2], "little")
    for flag in (_FNAME, _FCOMMENT):  # each a zero-terminated string
        if flags & flag:
            end = gzipped.find(b"\x00", at)
            if end < 0:
                return None
            at = end + 1
    if flags & _FHCRC:
        at += 2
    return at if at <= len(gzipped) else None

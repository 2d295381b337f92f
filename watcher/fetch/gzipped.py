"""A gzip-encoded body inflated within the size cap, its member kept for the store.

A server that compresses (the site does) sends each page as one gzip member. The
fetcher inflates it here rather than letting httpx do it, so the member comes back
with the body: the store keeps its deflate data as it is (`store.pack_body`) instead
of compressing the page a second time. The body is bounded as it grows, however small
the member (a gzip bomb is refused at the cap), and a member that is damaged or cut
short is an error: never a shorter page.
"""

from __future__ import annotations

import zlib

_GZIP = 16 + zlib.MAX_WBITS  # wbits: a gzip header and trailer, CRC-32 checked
_MAGIC = 0x1F  # a gzip member's first byte: another member follows


class GzipError(Exception):
    """The body is not the gzip it is said to be (`reason` says how), or too large."""


class GzipBody:
    """Feed it the raw chunks; `finish` gives the body and, if it was one member, that.

    Several members make one body, as gzip allows; bytes after the last member that
    begin no member (zero padding) are ignored, as browsers and httpx ignore them.
    """

    def __init__(self, cap: int) -> None:
        self._cap = cap
        self._raw = bytearray()
        self._body = bytearray()
        self._inflater = zlib.decompressobj(_GZIP)
        self._members = 1
        self._after = False  # bytes after the last member that begin none: ignored

    def feed(self, chunk: bytes) -> None:
        self._raw += chunk
        pending = chunk
        while pending and not self._after:
            if self._inflater.eof:
                if pending[0] != _MAGIC:  # padding after the member, as browsers allow
                    self._after = True
                    break
                self._inflater = zlib.decompressobj(_GZIP)
                self._members += 1
            try:
                self._body += self._inflater.decompress(pending, self._cap - len(self._body) + 1)
            except zlib.error as exc:
                raise GzipError(f"damaged gzip body ({exc})") from None
            if len(self._body) > self._cap:
                raise GzipError(f"body over {self._cap} bytes")
            inflater = self._inflater
            pending = inflater.unused_data if inflater.eof else inflater.unconsumed_tail

    def finish(self) -> tuple[bytes, bytes | None]:
        """The body, and the member as sent when the body was exactly one member."""
        if not self._inflater.eof:
            raise GzipError("damaged gzip body (cut short)")
        member = bytes(self._raw) if self._members == 1 and not self._after else None
        return bytes(self._body), member

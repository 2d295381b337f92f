"""Pure: whether a URL's host and port are on the allowed list.

Host names compare case-insensitively (DNS does), with a trailing dot ignored.
An entry may name a port (`host:8443`); an entry without one allows the host on
its scheme's default port only (80 for http, 443 for https), so `host:8443` is
refused unless an entry names 8443. The one exception is loopback
(127.0.0.1, ::1, localhost): a portless loopback entry allows any port, because
the only servers there are the operator's own local test and demo servers, which
run on whatever port the system hands out.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection
from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def is_loopback(host: str) -> bool:
    """True for this machine's own addresses (where only local servers listen): localhost,
    127.0.0.0/8 and ::1."""
    host = host.lower().rstrip(".").strip("[]")
    if host in _LOOPBACK:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_host_entry(entry: str) -> tuple[str, int | None]:
    """An allowed-hosts entry as (lower-case host, port or None); ValueError if malformed."""
    text = entry.strip()
    if not text or any(c in text for c in "/?#@ \t"):
        raise ValueError(f"{entry!r} is not a host name (write host or host:port, no scheme)")
    parts = urlsplit(f"//{text}")
    host, port = parts.hostname, parts.port  # .port raises ValueError for a bad port
    if not host:
        raise ValueError(f"{entry!r} is not a host name (write host or host:port, no scheme)")
    return host.rstrip("."), port


def host_listed(allowed: Collection[str], host: str) -> bool:
    """True when some entry names `host`, whatever port it gives."""
    host = host.lower().rstrip(".")
    return any(_entry(entry)[0] == host for entry in allowed)


def _entry(entry: str) -> tuple[str | None, int | None]:
    try:
        return parse_host_entry(entry)
    except ValueError:
        return None, None  # config refuses these; a bad entry never allows anything


def host_allowed(allowed: Collection[str], scheme: str, host: str, port: int | None) -> bool:
    """True when an entry in `allowed` covers `host` on `port` (None: the scheme's default)."""
    host = host.lower().rstrip(".")
    default = _DEFAULT_PORTS.get(scheme)
    actual = default if port is None else port
    for entry in allowed:
        entry_host, entry_port = _entry(entry)
        if entry_host != host:
            continue
        if entry_port is None and (actual == default or host in _LOOPBACK):
            return True
        if entry_port is not None and entry_port == actual:
            return True
    return False

"""Configuration: `config.toml` read into frozen settings, every key checked.

Secrets never live here: the Slack token and webhook URL come only from the
environment, and a config key that looks like one is refused.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from watcher.hosts import host_allowed, parse_host_entry

DEFAULT_BASE_URL = "https://hmicfrs.justiceinspectorates.gov.uk"
DEFAULT_USER_AGENT = (
    "hmicfrs-watcher/0.1 (+https://github.com/hmicfrs-watcher/watcher; "
    "daily check of published inspection grades)"
)
DEFAULT_SLACK_API_URL = "https://slack.com/api/"


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key and what is wrong."""


@dataclass(frozen=True)
class SiteSettings:
    base_url: str = DEFAULT_BASE_URL
    allowed_hosts: tuple[str, ...] = (
        "hmicfrs.justiceinspectorates.gov.uk",
        "www.justiceinspectorates.gov.uk",
    )


@dataclass(frozen=True)
class WatchSettings:
    forces: tuple[str, ...] | None = None  # None means all 43 territorial forces
    services: tuple[str, ...] | None = ()  # fire and rescue services; None means all 44
    cycles: tuple[str, ...] = ("peel-2023-25", "peel-2025-27")
    pages: tuple[str, ...] = ()


@dataclass(frozen=True)
class HttpSettings:
    user_agent: str = DEFAULT_USER_AGENT
    timeout: float = 30.0  # seconds, per request
    delay: float = 1.0  # seconds between two requests to the same host
    max_concurrency: int = 2  # requests in flight per host
    max_body_bytes: int = 10_000_000
    retries: int = 3  # attempts per page, the first included
    # Seconds of Retry-After one host may make a run wait in all; then its pages are paused.
    max_wait_per_run: float = 300.0


@dataclass(frozen=True)
class SlackRoute:
    """One `[[slack.routes]]` table: where matching alerts go, and how."""

    index: int
    channel: str | None = None
    webhook_env: str | None = None
    forces: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    directions: frozenset[str] = frozenset()
    mention: str | None = None
    thread: bool = False

    @property
    def label(self) -> str:
        return f"slack.routes[{self.index}]"


@dataclass(frozen=True)
class SlackSettings:
    channel: str | None = None
    api_url: str = DEFAULT_SLACK_API_URL
    ops_channel: str | None = None
    routes: tuple[SlackRoute, ...] = ()


@dataclass(frozen=True)
class StateSettings:
    path: Path = Path("state/watcher.db")


@dataclass(frozen=True)
class AlertSettings:
    unreachable_after: int = 3  # consecutive failed runs before "page unreachable"
    max_messages: int = 3  # Slack messages per organisation per run; the rest summarised
    # Findings added or removed at once beyond which one page's change set is held for
    # a second reading: no single inspection changes that many.
    max_findings_changed: int = 50


@dataclass(frozen=True)
class DiscoverSettings:
    """`[discover]`: listing pages read for new publications; none without the section."""

    sources: tuple[str, ...] = ()
    national: bool = True  # one "National publications" message per run
    max_age_days: int = 21  # older items (by their listed date) are stored, not alerted


DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class ScheduleSettings:
    hour: int = 7
    minute: int = 0
    days: tuple[str, ...] = DAY_NAMES
    timezone: str = "Europe/London"
    jitter: int = 300  # seconds of random delay, so runs do not all hit the site at once


DEFAULT_ARCHIVE_URL = "https://web.archive.org"


@dataclass(frozen=True)
class ArchiveSettings:
    """The web archive `watcher backfill` reads (a Wayback Machine: CDX API and raw captures)."""

    base_url: str = DEFAULT_ARCHIVE_URL
    rate: float = 2.0  # seconds between two requests to the archive

    @property
    def allowed_hosts(self) -> tuple[str, ...]:
        """The only host backfill contacts, beside (never in) `site.allowed_hosts`."""
        return (urlsplit(self.base_url).hostname or "",)


@dataclass(frozen=True)
class Config:
    site: SiteSettings = SiteSettings()
    watch: WatchSettings = WatchSettings()
    http: HttpSettings = HttpSettings()
    slack: SlackSettings = SlackSettings()
    state: StateSettings = StateSettings()
    alerts: AlertSettings = AlertSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    discover: DiscoverSettings = DiscoverSettings()
    archive: ArchiveSettings = ArchiveSettings()


_SECRET_HINTS = ("token", "webhook", "secret", "password")


def load_config(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read the config file (given, `WATCHER_CONFIG`, or `./config.toml`) and the environment."""
    env = os.environ if environ is None else environ
    if path is None:
        path = Path(env.get("WATCHER_CONFIG", "config.toml"))
    raw = _read_toml(path)
    config = parse_config(raw)
    if state := env.get("WATCHER_STATE"):
        config = replace(config, state=StateSettings(Path(state)))
    return config


def _read_toml(path: Path) -> Mapping[str, Any]:
    """The file's TOML, or a ConfigError saying what to fix (never a traceback)."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except IsADirectoryError:
        raise ConfigError(f"{path} is a directory: give the path of config.toml") from None
    except PermissionError:
        raise ConfigError(f"{path}: not readable (check its permissions)") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}): save it as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def parse_config(raw: Mapping[str, Any]) -> Config:
    """Check every section and key; the first problem found stops with its key named."""
    _reject_secret_values(raw, "")
    sections = {
        "site",
        "watch",
        "http",
        "slack",
        "state",
        "alerts",
        "schedule",
        "discover",
        "archive",
    }
    _reject_unknown(raw, sections, "")
    site = _section(raw, "site")
    watch = _section(raw, "watch")
    http = _section(raw, "http")
    slack = _section(raw, "slack")
    state = _section(raw, "state")
    alerts = _section(raw, "alerts")
    schedule = _section(raw, "schedule")
    _reject_unknown(site, {"base_url", "allowed_hosts"}, "site")
    _reject_unknown(watch, {"forces", "services", "cycles", "pages"}, "watch")
    _reject_unknown(
        http,
        {
            "user_agent",
            "timeout",
            "delay",
            "max_concurrency",
            "max_body_bytes",
            "retries",
            "max_wait_per_run",
        },
        "http",
    )
    _reject_unknown(slack, {"channel", "api_url", "ops_channel", "routes"}, "slack")
    _reject_unknown(state, {"path"}, "state")
    _reject_unknown(alerts, _ALERT_KEYS, "alerts")
    _reject_unknown(schedule, {"hour", "minute", "days", "timezone", "jitter"}, "schedule")
    return Config(
        site=_site(site),
        watch=_watch(watch),
        http=_http(http),
        slack=_slack(slack),
        state=StateSettings(Path(_str(state, "state.path", str(StateSettings.path)))),
        alerts=_alerts(alerts),
        schedule=_schedule(schedule),
        discover=_discover(_section(raw, "discover")),
        archive=_archive(_section(raw, "archive")),
    )


_ALERT_KEYS = {"unreachable_after", "max_messages", "max_findings_changed"}


def _alerts(alerts: Mapping[str, Any]) -> AlertSettings:
    """[alerts]: every count at least 1 (a cap of 0 would silence every alert)."""
    defaults = AlertSettings()
    return AlertSettings(
        *(
            _int(alerts, f"alerts.{key}", getattr(defaults, key), minimum=1, maximum=100_000)
            for key in _ALERT_ORDER
        )
    )


_ALERT_ORDER = ("unreachable_after", "max_messages", "max_findings_changed")


def _archive(table: Mapping[str, Any]) -> ArchiveSettings:
    """`[archive]`: the web archive's address and the pause between requests to it."""
    _reject_unknown(table, {"base_url", "rate"}, "archive")
    base_url = _str(table, "archive.base_url", ArchiveSettings.base_url).rstrip("/")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"archive.base_url must be an http(s) URL, got {_shown(base_url)}")
    rate = _float(table, "archive.rate", ArchiveSettings.rate, minimum=0.0, maximum=3600)
    return ArchiveSettings(base_url=base_url, rate=rate)


def _section(raw: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = raw.get(name, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"[{name}] must be a table")
    return value


def _reject_unknown(table: Mapping[str, Any], known: set[str], where: str) -> None:
    for key in table:
        name = f"{where}.{key}" if where else key
        if any(hint in key.lower() for hint in _SECRET_HINTS):
            raise ConfigError(
                f"{name}: secrets do not belong in config.toml; set SLACK_BOT_TOKEN "
                "or SLACK_WEBHOOK_URL in the environment instead"
            )
        if key not in known:
            choices = ", ".join(sorted(known))
            raise ConfigError(f"unknown config key {name!r} (expected one of: {choices})")


def _site(table: Mapping[str, Any]) -> SiteSettings:
    base_url = _str(table, "site.base_url", SiteSettings.base_url).rstrip("/")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"site.base_url must be an http(s) URL, got {_shown(base_url)}")
    hosts = _allowed_hosts(table)
    if not host_allowed(hosts, parts.scheme, parts.hostname, _port(base_url)):
        raise ConfigError(
            f"site.allowed_hosts must include the host of site.base_url ({parts.netloc})"
        )
    return SiteSettings(base_url=base_url, allowed_hosts=hosts)


def _port(url: str) -> int | None:
    try:
        return urlsplit(url).port
    except ValueError:
        raise ConfigError(f"site.base_url has a malformed port: {_shown(url)}") from None


def _allowed_hosts(table: Mapping[str, Any]) -> tuple[str, ...]:
    """Each entry as lower-case `host` or `host:port` (host names are case-insensitive)."""
    hosts = []
    for entry in _str_list(table, "site.allowed_hosts", SiteSettings.allowed_hosts):
        try:
            host, port = parse_host_entry(entry)
        except ValueError as exc:
            raise ConfigError(f"site.allowed_hosts: {exc}") from None
        shown = f"[{host}]" if ":" in host else host  # an IPv6 address keeps its brackets
        hosts.append(shown if port is None else f"{shown}:{port}")
    return tuple(hosts)


def _watch(table: Mapping[str, Any]) -> WatchSettings:
    from watcher.catalogue import CYCLES, FORCES, SERVICES  # the catalogue owns the vocabulary

    forces = _slugs(table, "watch.forces", "all", FORCES, "force")
    services = _slugs(table, "watch.services", [], SERVICES, "fire and rescue service")
    cycles = _str_list(table, "watch.cycles", WatchSettings.cycles)
    for cycle in cycles:
        if cycle not in CYCLES:
            raise ConfigError(f"watch.cycles: unknown cycle {cycle!r} (known: {', '.join(CYCLES)})")
    pages = _str_list(table, "watch.pages", ())
    for page in pages:
        if not page.startswith("/"):
            raise ConfigError(f"watch.pages: {page!r} must be a path starting with '/'")
    return WatchSettings(forces=forces, services=services, cycles=cycles, pages=pages)


def _slugs(
    table: Mapping[str, Any], name: str, default: object, known: Mapping[str, str], what: str
) -> tuple[str, ...] | None:
    """A list of known slugs, or None for "all"."""
    if table.get(name.rsplit(".", 1)[1], default) == "all":
        return None
    slugs = _str_list(table, name, ())
    for slug in slugs:
        if slug not in known:
            raise ConfigError(f"{name}: unknown {what} {slug!r}")
    return slugs


def _http(table: Mapping[str, Any]) -> HttpSettings:
    d = HttpSettings()
    return HttpSettings(
        user_agent=_str(table, "http.user_agent", d.user_agent),
        timeout=_float(table, "http.timeout", d.timeout, minimum=0.1, maximum=600),
        delay=_float(table, "http.delay", d.delay, minimum=0.0, maximum=3600),
        max_concurrency=_int(
            table, "http.max_concurrency", d.max_concurrency, minimum=1, maximum=64
        ),
        max_body_bytes=_int(
            table, "http.max_body_bytes", d.max_body_bytes, minimum=1024, maximum=1_000_000_000
        ),
        retries=_int(table, "http.retries", d.retries, minimum=1, maximum=20),
        max_wait_per_run=_float(
            table, "http.max_wait_per_run", d.max_wait_per_run, minimum=0.0, maximum=3600
        ),
    )


def _slack(table: Mapping[str, Any]) -> SlackSettings:
    channel = _channel_id(table, "slack.channel")
    api_url = _str(table, "slack.api_url", SlackSettings.api_url)
    if urlsplit(api_url).scheme not in ("http", "https"):
        raise ConfigError(f"slack.api_url must be an http(s) URL, got {_shown(api_url)}")
    if not api_url.endswith("/"):
        api_url += "/"
    routes = table.get("routes", [])
    if not isinstance(routes, list) or not all(isinstance(r, Mapping) for r in routes):
        raise ConfigError(
            "slack.routes must be an array of tables: write each route as [[slack.routes]]"
        )
    return SlackSettings(
        channel=channel,
        api_url=api_url,
        ops_channel=_channel_id(table, "slack.ops_channel"),
        routes=tuple(_route(index, route) for index, route in enumerate(routes)),
    )


def _channel_id(table: Mapping[str, Any], name: str) -> str | None:
    value = table.get(name.rsplit(".", 1)[1])
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ConfigError(f"{name} must be a non-empty string (a channel id like C0123ABC)")
    return value.strip() if isinstance(value, str) else None


_ROUTE_KEYS = {
    "channel",
    "webhook_env",
    "forces",
    "services",
    "regions",
    "kinds",
    "directions",
    "mention",
    "thread",
}
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")
_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
_MENTION_ID = re.compile(r"[UWS][A-Z0-9]{2,}")


def _route(index: int, table: Mapping[str, Any]) -> SlackRoute:
    """One [[slack.routes]] table; every error names `slack.routes[N].<key>` (N from 0)."""
    from watcher.catalogue import FORCES, REGIONS, SERVICES, canonical_force, canonical_service
    from watcher.models import ChangeKind, Direction

    where = f"slack.routes[{index}]"
    which = _ORDINALS[index] if index < len(_ORDINALS) else f"number {index + 1}"
    table_words = f"(the {which} [[slack.routes]] table)"
    for key in table:
        if key not in _ROUTE_KEYS:
            raise ConfigError(
                f"{where}.{key}: unknown key {table_words}; a route takes "
                + ", ".join(sorted(_ROUTE_KEYS))
            )
    channel, webhook_env = _route_target(table, where, table_words)

    def names(key: str, known: Any, what: str, canonical: Any = None) -> frozenset[str]:
        value = table.get(key, [])
        if isinstance(value, str):
            raise ConfigError(f'{where}.{key} must be a list, e.g. {key} = ["{value}"]')
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ConfigError(f"{where}.{key} must be a list of strings, got {_shown(value)}")
        found = []
        for item in value:
            slug = canonical(item) if canonical else item
            if slug not in known:
                raise ConfigError(
                    f"{where}.{key}: unknown {what} {item!r}{did_you_mean(item, known)} "
                    f"{table_words}{_listed(key, known)}"
                )
            found.append(slug)
        return frozenset(found)

    thread = table.get("thread", False)
    if not isinstance(thread, bool):
        raise ConfigError(f"{where}.thread must be true or false, got {_shown(thread)}")
    return SlackRoute(
        index=index,
        channel=channel,
        webhook_env=webhook_env,
        forces=names("forces", FORCES, "force", canonical_force),
        services=names("services", SERVICES, "fire and rescue service", canonical_service),
        regions=names("regions", REGIONS, "region"),
        kinds=names("kinds", {str(k) for k in ChangeKind}, "change kind"),
        directions=names("directions", {str(d) for d in Direction}, "direction"),
        mention=_mention(table.get("mention"), f"{where}.mention"),
        thread=thread,
    )


def _route_target(
    table: Mapping[str, Any], where: str, table_words: str
) -> tuple[str | None, str | None]:
    """A route's channel or webhook_env: exactly one, the latter an env variable's name."""
    channel = _channel_id(table, f"{where}.channel")
    webhook_env = table.get("webhook_env")
    if (channel is None) == (webhook_env is None):
        raise ConfigError(
            f"{where}: give channel (a channel id, with SLACK_BOT_TOKEN) or webhook_env (the "
            "name of an environment variable holding a webhook URL), "
            + ("not both " if channel else "one of them ")
            + table_words
        )
    if webhook_env is not None and (
        not isinstance(webhook_env, str) or not _ENV_NAME.fullmatch(webhook_env)
    ):
        raise ConfigError(
            f"{where}.webhook_env must name an environment variable (like "
            f"SLACK_WEBHOOK_URL_KENT), got {_shown(webhook_env)}: the webhook URL itself is a "
            f"secret and belongs in that variable {table_words}"
        )
    return channel, webhook_env


def did_you_mean(item: str, known: Any) -> str:
    """` (did you mean 'x'?)` for the closest of `known` to `item`, or "" if none is close."""
    from rapidfuzz import process

    best = process.extractOne(item, list(known), score_cutoff=80)
    return f" (did you mean {best[0]!r}?)" if best else ""


def _listed(key: str, known: Any) -> str:
    if key in ("forces", "services"):
        return "; see `watcher forces`"
    return "; known: " + ", ".join(sorted(known))


def _mention(value: object, name: str) -> str | None:
    """ "here", "channel", or a user (U…/W…) or user-group (S…) id; "@here" is "here"."""
    if value is None:
        return None
    if isinstance(value, str):
        bare = value.strip().removeprefix("@")
        if bare in ("here", "channel") or _MENTION_ID.fullmatch(bare):
            return bare
    raise ConfigError(
        f'{name} must be "here", "channel", a user id (U0123ABC) or a user-group id '
        f"(S0123ABC), got {_shown(value)}"
    )


def _schedule(table: Mapping[str, Any]) -> ScheduleSettings:
    d = ScheduleSettings()
    hour = _int(table, "schedule.hour", d.hour, minimum=0)
    minute = _int(table, "schedule.minute", d.minute, minimum=0)
    if hour > 23 or minute > 59:
        raise ConfigError("schedule.hour must be 0-23 and schedule.minute 0-59")
    days = tuple(d.lower() for d in _str_list(table, "schedule.days", d.days))
    if not days:
        raise ConfigError("schedule.days must name at least one day (e.g. ['mon', 'thu'])")
    for day in days:
        if day not in DAY_NAMES:
            raise ConfigError(f"schedule.days: {day!r} is not one of {', '.join(DAY_NAMES)}")
    timezone = _str(table, "schedule.timezone", d.timezone)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"schedule.timezone: unknown time zone {timezone!r}") from None
    # More than an hour of jitter would push a run past the scheduler's misfire grace.
    jitter = _int(table, "schedule.jitter", d.jitter, minimum=0, maximum=3600)
    return ScheduleSettings(hour, minute, days, timezone, jitter)


def _discover(table: Mapping[str, Any]) -> DiscoverSettings:
    _reject_unknown(table, {"sources", "national", "max_age_days"}, "discover")
    sources = _str_list(table, "discover.sources", ())
    for source in sources:
        if not source.startswith("/"):
            raise ConfigError(f"discover.sources: {source!r} must be a path starting with '/'")
    national = table.get("national", DiscoverSettings.national)
    if not isinstance(national, bool):
        raise ConfigError(f"discover.national must be true or false, got {_shown(national)}")
    max_age = _int(
        table, "discover.max_age_days", DiscoverSettings.max_age_days, minimum=1, maximum=3650
    )
    return DiscoverSettings(sources=sources, national=national, max_age_days=max_age)


# What a Slack secret looks like: bot, user, app-level, refresh and legacy tokens
# (xoxb-, xoxp-, xoxa-, xoxr-, xoxs-, xoxe-, xoxe.xoxp-, xapp-) and webhook URLs
# (hooks.slack.com, slack-gov included). Never echoed, logged or stored: see
# `mask_secrets`, which notify's redaction also applies to every log line.
SLACK_SECRET = re.compile(
    r"\bxox[a-z]{1,2}(?:\.xox[a-z])?-[\w-]+"
    r"|\bxapp-[\w-]+"
    r"|(?:https?://)?hooks\.slack(?:-gov)?\.com/\S*",
    re.IGNORECASE,
)


def mask_secrets(text: str, mask: str = "(a Slack secret, redacted)") -> str:
    """The text with everything that looks like a Slack token or webhook URL masked."""
    return SLACK_SECRET.sub(mask, text)


def _shown(value: object) -> str:
    """A bad value as an error message may show it: repr'd, secrets masked."""
    return mask_secrets(repr(value), "(a secret: set it in the environment instead)")


def _reject_secret_values(value: object, name: str) -> None:
    """Refuse a token-like value in any key, nested lists too, without echoing it."""
    if isinstance(value, str) and SLACK_SECRET.search(value):
        raise ConfigError(
            f"{name or 'config'}: this looks like a Slack token or webhook URL; secrets do "
            "not belong in config.toml: set SLACK_BOT_TOKEN or SLACK_WEBHOOK_URL in the "
            "environment instead"
        )
    if isinstance(value, Mapping):
        for key, item in value.items():
            _reject_secret_values(item, f"{name}.{key}" if name else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _reject_secret_values(item, f"{name}[{index}]" if isinstance(item, Mapping) else name)


def _str(table: Mapping[str, Any], name: str, default: str) -> str:
    value = table.get(name.rsplit(".", 1)[1], default)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{name} must be a non-empty string, got {_shown(value)}")
    return value


def _str_list(table: Mapping[str, Any], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    value = table.get(name.rsplit(".", 1)[1], list(default))
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{name} must be a list of strings, got {_shown(value)}")
    return tuple(value)


def _int(
    table: Mapping[str, Any],
    name: str,
    default: int,
    *,
    minimum: int,
    maximum: int | None = None,
) -> int:
    value = table.get(name.rsplit(".", 1)[1], default)
    too_big = maximum is not None and isinstance(value, int) and value > maximum
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum or too_big:
        most = f" and at most {maximum}" if maximum is not None else ""
        raise ConfigError(
            f"{name} must be a whole number of at least {minimum}{most}, got {_shown(value)}"
        )
    return value


def _float(
    table: Mapping[str, Any], name: str, default: float, *, minimum: float, maximum: float
) -> float:
    """A finite number in range: TOML allows nan and inf, which no timeout or delay means."""
    value = table.get(name.rsplit(".", 1)[1], default)
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number or not math.isfinite(value) or not minimum <= value <= maximum:
        raise ConfigError(
            f"{name} must be a number from {minimum:g} to {maximum:g} (seconds), "
            f"got {_shown(value)}"
        )
    return float(value)

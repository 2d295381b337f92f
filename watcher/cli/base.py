"""What every `watcher` command shares: exit codes, the cannot-run error, config, clock.

Exit codes: 0 ran; 1 ran but some pages or alerts failed; 2 could not run.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

import click

from watcher.catalogue import (
    SERVICE_PREFIX,
    Page,
    expand,
    expand_services,
    organisation_slug,
    organisation_slugs,
)
from watcher.config import Config, ConfigError, did_you_mean, load_config

EXIT_OK, EXIT_PARTIAL, EXIT_CANNOT_RUN = 0, 1, 2


def utc_now() -> datetime:
    """The commands' clock: now, in UTC."""
    return datetime.now(UTC)


class CannotRun(click.ClickException):
    """The command could not run at all (configuration, lock, database)."""

    exit_code = EXIT_CANNOT_RUN


def command_config(ctx: click.Context) -> Config:
    """The config named by `--config` (or the default), or why the command cannot run."""
    try:
        return load_config(ctx.obj)
    except ConfigError as exc:
        raise CannotRun(f"configuration: {exc}") from None


def named_organisation(slug: str, also: Collection[str] = ()) -> str:
    """The organisation `--force SLUG` names (any case, a renamed force's old slug), or
    one of `also` (organisations a state holds); else the command cannot run."""
    if found := organisation_slug(slug):
        return found
    if slug in also:
        return slug
    hint = did_you_mean(slug.strip().lower(), organisation_slugs())
    raise CannotRun(f"--force {slug}: unknown force or service{hint} (e.g. kent, frs/kent)")


def select_pages(config: Config, only: tuple[str, ...]) -> list[Page]:
    """The catalogue's pages, or only those of the forces and services named by --force."""
    watch, base = config.watch, config.site.base_url
    if not only:
        police = expand(base, watch.forces, watch.cycles, watch.pages)
        fire = expand_services(base, watch.services, watch.cycles) if watch.services != () else []
        return police + fire
    named = [named_organisation(slug) for slug in only]
    forces = [slug for slug in named if not slug.startswith(SERVICE_PREFIX)]
    services = [s.removeprefix(SERVICE_PREFIX) for s in named if s.startswith(SERVICE_PREFIX)]
    fire = [p for p in expand_services(base, services, watch.cycles) if p.organisation]
    return expand(base, forces, watch.cycles) + fire

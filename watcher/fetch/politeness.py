"""Politeness towards one host: requests in flight, the gap between them, Retry-After."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from watcher.config import HttpSettings

# Why a host's remaining pages are not fetched once its Retry-After waits used up the
# run's budget (`http.max_wait_per_run`).
BUDGET_SPENT = "paused: the site asked us to wait longer than the run's budget"


class HostClosed(Exception):
    """The host asked for a pause longer than we wait: nothing is sent to it for now."""


class HostGate:
    """Per-host politeness: a cap on requests in flight and a gap between their starts."""

    def __init__(
        self, settings: HttpSettings, clock: Callable[[], float], sleep: Callable[[float], None]
    ) -> None:
        self._slots = threading.BoundedSemaphore(settings.max_concurrency)
        self._delay = settings.delay
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_start = float("-inf")
        self._closed_until = float("-inf")
        self._closed_reason: str | None = None
        self._wait_budget = settings.max_wait_per_run
        self._waited = 0.0  # Retry-After seconds honoured so far this run

    @contextmanager
    def turn(self, host: str) -> Iterator[None]:
        """Hold a slot for one request, starting it no sooner than the host allows."""
        with self._slots:
            # The slot is taken before the start time is booked, so starts happen in
            # booking order and no two are closer than the delay.
            wait = self._book_start(host)
            if wait > 0:
                self._sleep(wait)
            yield

    def _book_start(self, host: str) -> float:
        with self._lock:
            now = self._clock()
            if now < self._closed_until:
                pause = self._closed_until - now
                raise HostClosed(
                    self._closed_reason
                    or f"rate limited: {host} asked for a {pause:.0f} s pause; not sent"
                )
            start = max(now, self._next_start)
            self._next_start = start + self._delay
            return start - now

    def defer(self, seconds: float) -> bool:
        """Start nothing on this host for `seconds` (a Retry-After we honour).

        False, and the host is closed for the rest of the run, when this wait would take
        the run's Retry-After waits on this host past `http.max_wait_per_run`: a host
        that keeps answering 429 must not hold the run for hours, 60 s at a time.
        """
        with self._lock:
            if self._waited + seconds > self._wait_budget:
                self._closed_until = float("inf")
                self._closed_reason = BUDGET_SPENT
                return False
            self._waited += seconds
            self._next_start = max(self._next_start, self._clock() + seconds)
            return True

    def close(self, seconds: float) -> None:
        """Send nothing to this host for `seconds` (a Retry-After too long to wait)."""
        with self._lock:
            self._closed_until = max(self._closed_until, self._clock() + seconds)


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delay-seconds or HTTP date), if valid."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())

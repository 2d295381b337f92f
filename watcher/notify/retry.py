"""Short retries of a Slack post inside one run: connection errors, 5xx, short rate limits.

Anything longer (a long Retry-After, a Slack outage) is left to the next run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from slack_sdk.http_retry import (
    BackoffRetryIntervalCalculator,
    ConnectionErrorRetryHandler,
    HttpRequest,
    HttpResponse,
    RateLimitErrorRetryHandler,
    RetryHandler,
    RetryState,
)
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler
from slack_sdk.http_retry.jitter import Jitter, RandomJitter


class _NoJitter(Jitter):
    def recalculate(self, duration: float) -> float:
        return duration


class _ShortRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """Waits out a short Retry-After; a longer one is left for the next run."""

    def __init__(self, max_retry_count: int, max_wait: float, jitter: Jitter) -> None:
        super().__init__(max_retry_count)
        self.max_wait = max_wait
        self.jitter = jitter

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        wait = _retry_after(response)
        return wait is not None and wait <= self.max_wait

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        state.next_attempt_requested = True
        time.sleep(self.jitter.recalculate(_retry_after(response) or 0))
        state.increment_current_attempt()


def _retry_after(response: HttpResponse | None) -> float | None:
    if response is None or response.status_code != 429:
        return None
    for name, values in response.headers.items():
        if name.lower() == "retry-after":
            value = values[0] if isinstance(values, list) else values
            try:
                return max(0.0, float(value))
            except ValueError:
                return None
    return None


@dataclass(frozen=True)
class RetryPolicy:
    """Short retries inside one run, for connection errors, 5xx and short rate limits.

    Between attempts a send waits at most about retries × (max_retry_after + 1) seconds,
    on top of the client's timeout for each attempt.
    """

    retries: int = 2  # after the first attempt, whatever the mix of failures
    backoff: float = 0.5  # seconds before the first retry, doubled for each next one
    jitter: bool = True  # add up to 1 s at random (off in tests, to keep them exact)
    max_retry_after: float = 10.0  # seconds; a longer Retry-After is left for the next run

    def handlers(self) -> list[RetryHandler]:
        jitter = RandomJitter() if self.jitter else _NoJitter()
        interval = BackoffRetryIntervalCalculator(self.backoff, jitter)
        return [
            ConnectionErrorRetryHandler(self.retries, interval),
            ServerErrorRetryHandler(self.retries, interval),
            _ShortRateLimitRetryHandler(self.retries, self.max_retry_after, jitter),
        ]

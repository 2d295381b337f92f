"""slack-sdk's retry handlers for a `RetryPolicy`: waits that a stop request cuts short."""

from __future__ import annotations

import time
from collections.abc import Callable

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

_SLICE = 0.1  # seconds between two looks at the stop flag while waiting to retry


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


def _wait(handler: RetryHandler, state: RetryState, response: HttpResponse | None) -> float:
    if isinstance(handler, _ShortRateLimitRetryHandler):
        return handler.jitter.recalculate(_retry_after(response) or 0)
    return handler.interval_calculator.calculate_sleep_duration(state.current_attempt)


class _Stoppable(RetryHandler):
    """A retry handler that gives up when the process is asked to stop.

    Its wait between attempts is cut into short sleeps, each after asking again, so a
    SIGTERM during a backoff or a Retry-After ends the wait within a tenth of a second.
    """

    def __init__(self, inner: RetryHandler, should_stop: Callable[[], bool]) -> None:
        super().__init__(inner.max_retry_count, inner.interval_calculator)
        self.inner = inner
        self.should_stop = should_stop

    def can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if self.should_stop():
            return False
        return self.inner.can_retry(state=state, request=request, response=response, error=error)

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        # The inner handler's own steps, with its wait made interruptible.
        state.next_attempt_requested = True
        self._sleep(_wait(self.inner, state, response))
        state.increment_current_attempt()

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.should_stop() and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, _SLICE))


def retry_handlers(
    retries: int,
    backoff: float,
    *,
    jitter: bool,
    max_retry_after: float,
    should_stop: Callable[[], bool],
) -> list[RetryHandler]:
    """slack-sdk's retry handlers (a `RetryPolicy`'s); once `should_stop` says yes, no retry."""
    spread = RandomJitter() if jitter else _NoJitter()
    interval = BackoffRetryIntervalCalculator(backoff, spread)
    handlers: list[RetryHandler] = [
        ConnectionErrorRetryHandler(retries, interval),
        ServerErrorRetryHandler(retries, interval),
        _ShortRateLimitRetryHandler(retries, max_retry_after, spread),
    ]
    return [_Stoppable(handler, should_stop) for handler in handlers]

"""How a Slack post is retried inside one run: connection errors, 5xx, short rate limits.

Anything longer (a long Retry-After, a Slack outage) is left to the next run. The
handlers that do it are slack-sdk's (`slack_retry`), loaded only when Slack is used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slack_sdk.http_retry import RetryHandler


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

    def handlers(self, should_stop: Callable[[], bool] = lambda: False) -> list[RetryHandler]:
        """slack-sdk's retry handlers; once `should_stop` says yes, no retry and no wait."""
        from watcher.notify.slack_retry import retry_handlers  # slack-sdk: only when used

        return retry_handlers(
            self.retries,
            self.backoff,
            jitter=self.jitter,
            max_retry_after=self.max_retry_after,
            should_stop=should_stop,
        )

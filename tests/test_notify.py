"""Delivery to Slack through the real slack-sdk clients, against the fake Slack server."""

from __future__ import annotations

import logging
import re
import socket
from datetime import date
from io import StringIO
from typing import Any

import pytest
from rich.console import Console
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from tests.fake_slack import FakeSlack, limit_error
from watcher.config import SlackSettings
from watcher.models import Change, ChangeKind, Direction, FindingKind, WordDiff
from watcher.notify import (
    ConsoleNotifier,
    Message,
    RetryPolicy,
    SlackConfigError,
    SlackWebNotifier,
    WebhookNotifier,
    notifier_from_env,
    redact_webhook_url,
    render_digest,
)

SEEN = date(2026, 11, 22)
PAGE = "https://hmicfrs.justiceinspectorates.gov.uk/peel-reports/kent-2023-25/"
CYCLE = "peel-2023-25"
CHANNEL = "C0123ABC"
# Retries as in production, minus the waiting: tests stay fast and exact.
FAST = RetryPolicy(retries=2, backoff=0.01, jitter=False, max_retry_after=2)
GRADE_LINE = "*Investigating crime*: Adequate → Requires improvement :small_red_triangle_down:"


def change(kind: ChangeKind, **extra: Any) -> Change:
    return Change(kind, PAGE, "kent", CYCLE, f"{CYCLE}/investigating-crime", **extra)


def digest(*extra: Change) -> Message:
    """Kent: one grade decline and one new area for improvement (plus any extra changes)."""
    changes = [
        change(
            ChangeKind.GRADE, unit_label="Investigating crime", before="adequate",
            after="requires_improvement", direction=Direction.DECLINED,
        ),
        change(
            ChangeKind.FINDING_ADDED, unit_label="Investigating crime",
            after="The force should record crime accurately.",
            finding_kind=FindingKind.AREA_FOR_IMPROVEMENT,
        ),
        *extra,
    ]  # fmt: skip
    [message] = render_digest("kent", changes, SEEN)
    return message


def web(fake: FakeSlack, *, token: str | None = None, timeout: float = 2.0) -> SlackWebNotifier:
    client = WebClient(
        token=token or fake.token,
        base_url=fake.api_url,
        timeout=timeout,  # type: ignore[arg-type]
        retry_handlers=FAST.handlers(),
    )
    return SlackWebNotifier(client, CHANNEL)


def webhook(url: str, *, timeout: float = 2.0) -> WebhookNotifier:
    client = WebhookClient(url, timeout=timeout, retry_handlers=FAST.handlers())  # type: ignore[arg-type]
    return WebhookNotifier(client)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def section_texts(received: dict[str, object]) -> str:
    blocks = received["blocks"]
    assert isinstance(blocks, list)
    return "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")


def test_digest_posts_once_via_web_api(fake_slack: FakeSlack) -> None:
    """chat.postMessage carries the channel, fallback text and the Block Kit, unfurling off."""
    message = digest()
    delivery = web(fake_slack).send(message)
    assert delivery.ok
    [received] = fake_slack.messages
    assert delivery.ts == received["ts"]
    assert received["channel"] == CHANNEL
    assert received["text"] == "Kent Police: 1 grade change, 1 new area for improvement"
    assert received["unfurl_links"] is False
    assert received["blocks"] == list(message.blocks)
    assert received["blocks"][0]["text"]["text"] == "Kent Police: inspection changes"
    sections = section_texts(received)
    assert GRADE_LINE in sections
    assert "> The force should record crime accurately." in sections
    assert f"<{PAGE}|View the page>" in received["blocks"][-1]["elements"][0]["text"]
    assert fake_slack.attempts[0]["headers"]["authorization"] == f"Bearer {fake_slack.token}"


def test_digest_posts_once_via_webhook(fake_slack: FakeSlack) -> None:
    """The webhook receives the same text and blocks; it gives no ts."""
    message = digest()
    delivery = webhook(fake_slack.webhook_url).send(message)
    assert delivery == type(delivery)(ok=True)
    [received] = fake_slack.messages
    assert received["via"] == "webhook"
    assert received["text"] == message.text
    assert received["blocks"] == list(message.blocks)
    assert GRADE_LINE in section_texts(received)


def test_page_text_arrives_escaped(fake_slack: FakeSlack) -> None:
    """Mentions, links and formatting in page text reach Slack inert."""
    hostile = "<!channel> <!here> <@U123> <https://evil.test|click> *bold*"
    extra = change(
        ChangeKind.FINDING_ADDED, unit_label=f"Unit {hostile}", after=hostile,
        finding_kind=FindingKind.CAUSE_OF_CONCERN,
    )  # fmt: skip
    assert web(fake_slack).send(digest(extra)).ok
    [received] = fake_slack.messages
    sent = section_texts(received) + str(received["text"])
    for raw in ("<!channel>", "<!here>", "<@U123>", "<https://evil.test", "*bold*"):
        assert raw not in sent
    escaped = "&lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt; &lt;https://evil.test|click&gt; ∗bold∗"
    assert f"> {escaped}" in sent
    assert f"Unit {escaped}" in sent


def test_sixty_changes_split_into_messages_slack_accepts(fake_slack: FakeSlack) -> None:
    """A 60-change digest arrives as several messages within limits, each change exactly once."""
    changes = []
    for n in range(60):
        text = f"MARK{n:03d}X " + "the force should supervise investigations better " * 10
        kind = [ChangeKind.FINDING_ADDED, ChangeKind.FINDING_RESOLVED][n % 2]
        before, after = (None, text) if n % 2 == 0 else (text, None)
        changes.append(
            change(kind, before=before, after=after, finding_kind=FindingKind.RECOMMENDATION)
        )
    messages = render_digest("kent", changes, SEEN)
    assert len(messages) > 1
    notifier = web(fake_slack)
    assert all(notifier.send(m).ok for m in messages)
    assert len(fake_slack.messages) == len(messages)  # no refusal, so no re-splitting
    assert all(limit_error(m) is None for m in fake_slack.messages)
    received = "\n".join(section_texts(m) for m in fake_slack.messages)
    assert sorted(re.findall(r"MARK\d{3}X", received)) == [f"MARK{n:03d}X" for n in range(60)]


def test_rate_limit_is_waited_out(fake_slack: FakeSlack) -> None:
    """429 with Retry-After 1, then success: one message delivered, after one retry."""
    fake_slack.fail_next(status=429, retry_after=1)
    delivery = web(fake_slack).send(digest())
    assert delivery.ok
    assert len(fake_slack.attempts) == 2  # the refused post, then the retry after the wait
    assert len(fake_slack.messages) == 1


def test_long_retry_after_is_left_pending(fake_slack: FakeSlack) -> None:
    """A Retry-After longer than the run should wait is not waited: the alert stays pending."""
    fake_slack.fail_next(status=429, retry_after=120)
    delivery = web(fake_slack).send(digest())
    assert len(fake_slack.attempts) == 1  # given up at once: no retry, so no waiting
    assert not delivery.ok
    assert not delivery.fatal
    assert "HTTP 429" in (delivery.error or "")
    assert "120" in (delivery.error or "")
    assert fake_slack.messages == []


@pytest.mark.parametrize("status", [500, 503])
def test_persistent_server_errors_fail_softly(fake_slack: FakeSlack, status: int) -> None:
    """5xx on every retry: not delivered, not fatal, the error says why."""
    fake_slack.fail_next(5, status=status)
    delivery = web(fake_slack).send(digest())
    assert not delivery.ok
    assert not delivery.fatal
    assert f"HTTP {status}" in (delivery.error or "")
    assert len(fake_slack.attempts) == 3  # the first try and two retries


def test_one_server_error_is_retried(fake_slack: FakeSlack) -> None:
    """A passing 503 is retried within the run and the message arrives once."""
    fake_slack.fail_next(status=503)
    assert web(fake_slack).send(digest()).ok
    assert len(fake_slack.messages) == 1


def test_timeout_fails_softly(fake_slack: FakeSlack) -> None:
    """A Slack that does not answer in time: not delivered, never raises."""
    fake_slack.fail_next(delay=1.5)
    delivery = web(fake_slack, timeout=0.3).send(digest())
    assert not delivery.ok
    assert not delivery.fatal
    assert "timed out" in (delivery.error or "")


def test_unreachable_slack_fails_softly() -> None:
    """Nothing listening: not delivered, the error says Slack could not be reached."""
    client = WebClient(
        token="xoxb-1", base_url=f"http://127.0.0.1:{closed_port()}/api/",
        retry_handlers=FAST.handlers(),
    )  # fmt: skip
    delivery = SlackWebNotifier(client, CHANNEL).send(digest())
    assert not delivery.ok
    assert not delivery.fatal
    assert "could not reach Slack" in (delivery.error or "")


@pytest.mark.parametrize(
    ("code", "fix"),
    [
        ("invalid_auth", "set SLACK_BOT_TOKEN"),
        ("token_revoked", "set SLACK_BOT_TOKEN"),
        ("channel_not_found", "set slack.channel"),
        ("not_in_channel", "/invite"),
    ],
)
def test_configuration_errors_are_fatal(fake_slack: FakeSlack, code: str, fix: str) -> None:
    """Slack errors only the user can fix are fatal and say what to fix."""
    fake_slack.fail_next(error=code)
    delivery = web(fake_slack).send(digest())
    assert not delivery.ok
    assert delivery.fatal
    assert code in (delivery.error or "")
    assert fix in (delivery.error or "")
    assert len(fake_slack.attempts) == 1  # never retried


def test_wrong_token_is_fatal(fake_slack: FakeSlack) -> None:
    """A token Slack does not know is invalid_auth: fatal."""
    delivery = web(fake_slack, token="xoxb-not-the-right-token").send(digest())
    assert delivery.fatal
    assert "invalid_auth" in (delivery.error or "")


@pytest.mark.parametrize("code", ["msg_too_long", "msg_blocks_too_long", "invalid_blocks"])
def test_too_long_is_split_and_delivered(fake_slack: FakeSlack, code: str) -> None:
    """A message refused as too long is halved under a repeated header; nothing is lost."""
    message = digest()
    fake_slack.fail_next(error=code)
    delivery = web(fake_slack).send(message)
    assert delivery.ok
    first, second = fake_slack.messages
    assert delivery.ts == first["ts"]
    assert first["blocks"][0] == message.blocks[0]
    assert second["blocks"][0]["text"]["text"] == "Kent Police: inspection changes (continued)"
    assert first["blocks"][1:] + second["blocks"][1:] == list(message.blocks[1:])


def test_split_repeats_until_slack_accepts() -> None:
    """Against a Slack that takes at most 5 blocks, 20 sections arrive in parts, in order."""
    sections = tuple(
        {"type": "section", "text": {"type": "mrkdwn", "text": f"part {n}"}} for n in range(20)
    )
    header = {"type": "header", "text": {"type": "plain_text", "text": "Kent Police"}}
    with FakeSlack(max_blocks=5) as fake:
        delivery = web(fake).send(Message("Kent Police", (header, *sections)))
        assert delivery.ok
        assert all(len(m["blocks"]) <= 5 for m in fake.messages)
        received = [b for m in fake.messages for b in m["blocks"] if b["type"] == "section"]
    assert received == list(sections)


def test_partial_split_failure_is_not_ok(fake_slack: FakeSlack) -> None:
    """When a later part fails, the whole message is reported not delivered."""
    fake_slack.fail_next(error="msg_too_long")
    fake_slack.fail_next()  # an entry with nothing to fail: the first half goes through
    fake_slack.fail_next(3, status=500)
    delivery = web(fake_slack).send(digest())
    assert not delivery.ok
    assert "HTTP 500" in (delivery.error or "")
    assert "first part was already posted" in (delivery.error or "")


@pytest.mark.parametrize(
    ("status", "body", "fatal"),
    [
        (404, "no_service", True),
        (403, "action_prohibited", True),
        (410, "channel_is_archived", True),
        (400, "invalid_payload", False),
        (500, "oops", False),
        (200, "not quite ok", False),
    ],
)
def test_webhook_refusals(fake_slack: FakeSlack, status: int, body: str, fatal: bool) -> None:
    """A webhook answer other than "ok" is a failed delivery; a dead webhook is fatal."""
    fake_slack.fail_next(5, status=status, body=body)
    delivery = webhook(fake_slack.webhook_url).send(digest())
    assert not delivery.ok
    assert delivery.fatal is fatal
    if fatal:
        assert "set SLACK_WEBHOOK_URL" in (delivery.error or "")


def test_webhook_invalid_blocks_is_split(fake_slack: FakeSlack) -> None:
    """A webhook's 400 invalid_blocks is answered by sending the message in halves."""
    fake_slack.fail_next(status=400, body="invalid_blocks")
    assert webhook(fake_slack.webhook_url).send(digest()).ok
    assert len(fake_slack.messages) == 2


SECRET_PATH = "/services/T0ABCDEF/B0GHIJKL/s3cr3tW3bh00kP4rt"


def test_secrets_never_leak(caplog: pytest.LogCaptureFixture) -> None:
    """Neither the bot token nor the webhook URL shows in errors, reprs or any log line."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="slack_sdk")  # the CLI may have quietened it
    with FakeSlack(webhook_path=SECRET_PATH) as fake:
        secrets = [fake.token, fake.webhook_url, SECRET_PATH, "s3cr3tW3bh00kP4rt"]
        dead_hook = webhook(f"http://127.0.0.1:{closed_port()}{SECRET_PATH}")
        live_hook = webhook(fake.webhook_url)
        bot = web(fake)
        fake.fail_next(status=400, body=f"bad request to {fake.webhook_url} ({SECRET_PATH})")
        fake.fail_next(error=f"weird_{fake.token}")
        deliveries = [dead_hook.send(digest()), live_hook.send(digest()), bot.send(digest())]
    dead, live, bot = (d.error or "" for d in deliveries)
    assert "could not reach Slack" in dead
    assert "bad request to http://127.0.0.1" in live
    assert "weird_" in bot
    assert "Going to retry" in caplog.text  # slack-sdk's own logging was exercised
    shown = [caplog.text, repr(dead_hook), repr(bot), *(str(d) for d in deliveries)]
    for secret in secrets:
        assert not any(secret in text for text in shown), secret
    assert repr(dead_hook).endswith("/services/T…')")


def test_redact_webhook_url() -> None:
    """A webhook URL is shown only as far as its workspace initial."""
    url = "https://hooks.slack.com/services/T0001/B0002/abcdefghijklmnop"
    assert redact_webhook_url(url) == "https://hooks.slack.com/services/T…"


def test_console_shows_a_readable_message() -> None:
    """The terminal rendering shows the header, the grade line, quotes and links."""
    out = StringIO()
    delivery = ConsoleNotifier(Console(file=out, width=120, color_system=None)).send(digest())
    assert delivery.ok
    printed = out.getvalue()
    assert "Kent Police: inspection changes" in printed
    assert "Investigating crime: Adequate → Requires improvement 🔻 declined" in printed
    assert "│ The force should record crime accurately." in printed
    assert f"View the page ({PAGE})" in printed
    assert "*" not in printed


def test_console_shows_escaped_text_as_written(fake_slack: FakeSlack) -> None:
    """Escaped page text reads as the page wrote it in the terminal, never as markup."""
    extra = change(
        ChangeKind.FINDING_ADDED, after="A & B <!channel> [bold]x[/bold]",
        finding_kind=FindingKind.AREA_FOR_IMPROVEMENT,
    )  # fmt: skip
    out = StringIO()
    ConsoleNotifier(Console(file=out, width=200, color_system=None)).send(digest(extra))
    assert "A & B <!channel> [bold]x[/bold]" in out.getvalue()


def test_console_renders_word_diff() -> None:
    """A reworded finding's diff survives into the terminal as text."""
    wording = WordDiff((("equal", "Improve"), ("delete", "quickly"), ("insert", "now")))
    extra = change(
        ChangeKind.FINDING_REWORDED, before="Improve quickly", after="Improve now",
        finding_kind=FindingKind.AREA_FOR_IMPROVEMENT, wording=wording,
    )  # fmt: skip
    out = StringIO()
    ConsoleNotifier(Console(file=out, width=120, color_system=None)).send(digest(extra))
    assert "│ Improve quickly now" in out.getvalue()


def console() -> Console:
    return Console(file=StringIO())


@pytest.mark.parametrize(
    ("environ", "channel", "expected"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, CHANNEL, SlackWebNotifier),
        ({"SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/X"}, None, WebhookNotifier),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_WEBHOOK_URL": "https://hooks.slack.com/x"},
            CHANNEL,
            SlackWebNotifier,
        ),
        ({}, CHANNEL, ConsoleNotifier),
        ({"SLACK_BOT_TOKEN": "  "}, None, ConsoleNotifier),
    ],
)
def test_notifier_from_env_chooses(
    environ: dict[str, str], channel: str | None, expected: type
) -> None:
    """Bot token + channel, else webhook, else the terminal."""
    notifier = notifier_from_env(environ, SlackSettings(channel=channel), console())
    assert isinstance(notifier, expected)


def test_token_without_channel_names_the_setting() -> None:
    """A bot token with no channel configured is a clear configuration error."""
    with pytest.raises(SlackConfigError, match=r"slack\.channel"):
        notifier_from_env({"SLACK_BOT_TOKEN": "xoxb-1"}, SlackSettings(), console())


def test_webhook_url_must_be_http() -> None:
    """A webhook URL that is not http(s) is refused without echoing it."""
    with pytest.raises(ValueError, match="SLACK_WEBHOOK_URL") as raised:
        notifier_from_env({"SLACK_WEBHOOK_URL": "hooks/secret"}, SlackSettings(), console())
    assert "secret" not in str(raised.value)


def test_notifier_from_env_posts_to_configured_api_url(fake_slack: FakeSlack) -> None:
    """The bot notifier built from the environment talks to slack.api_url."""
    settings = SlackSettings(channel=CHANNEL, api_url=fake_slack.api_url)
    environ = {"SLACK_BOT_TOKEN": fake_slack.token}
    notifier = notifier_from_env(environ, settings, console(), timeout=2, retry=FAST)
    assert notifier.send(digest()).ok
    assert fake_slack.messages[0]["channel"] == CHANNEL


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.slack.com/services/T0/B0/secretpart",
        "HTTP://hooks.slack.com/services/T0/B0/secretpart",
        "https:///services/T0/B0/secretpart",
    ],
)
def test_plain_http_webhook_is_refused_as_needing_https(url: str) -> None:
    """An http:// (or hostless) webhook URL is refused: the message says https, never the URL."""
    with pytest.raises(SlackConfigError, match="must be an https://") as raised:
        notifier_from_env({"SLACK_WEBHOOK_URL": url}, SlackSettings(), console())
    assert "secretpart" not in str(raised.value)
    assert "hooks.slack.com" not in str(raised.value)


def test_http_webhook_to_this_machine_is_accepted() -> None:
    """Plain http is accepted only to loopback (a local relay or the test Slack)."""
    environ = {"SLACK_WEBHOOK_URL": "http://127.0.0.1:9/webhook/T0/B0/X"}
    assert isinstance(notifier_from_env(environ, SlackSettings(), console()), WebhookNotifier)

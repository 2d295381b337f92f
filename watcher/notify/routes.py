"""Where each alert goes: `[[slack.routes]]`, the default destination and `ops_channel`.

Pure. A destination is named by a key: `default` (`[slack] channel`, or
SLACK_WEBHOOK_URL, or the terminal), `ops` (`[slack] ops_channel`), `slack:<channel>`
or `webhook:<ENV_NAME>` for a route's own. Two settings naming the same channel (or the
same webhook variable) are one destination, so an alert reaches a channel once.

- A change goes to every route whose filters all match it; one no route takes goes to
  the default destination. A route's organisation filter is `forces` and `services`
  together (an alert is about one organisation, a force or a service). `directions`
  holds for grade changes by their direction; a change of a kind with no direction
  (entering Engage, a finding) passes it only when the route's `kinds` name that kind.
- Page health (unreachable, readable again...) and operator notes go to `ops` when set,
  else to the default, and to a route only when its `kinds` name them.
- The "now watching" summary goes to the default destination only.

A message to a destination carries the mention of the first route (in config order)
that sends it there and asks for one; a destination some route marks `thread = true`
gets one thread per report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from watcher.catalogue import region_of, service_organisation
from watcher.config import SlackRoute, SlackSettings
from watcher.models import Change, ChangeKind, Direction, FindingKind, Grade
from watcher.notify.message import MAX_BLOCKS, SECTION_TEXT_MAX, Message
from watcher.notify.render import HEALTH_KINDS
from watcher.notify.senders import Notifier
from watcher.store import PendingAlert

DEFAULT = "default"
OPS = "ops"

# What a newsroom wants to see in the channel even when it is a reply in a thread.
_LOUD_KINDS = frozenset({ChangeKind.MONITORING_ENTERED, ChangeKind.MONITORING_LEFT})
_LOUD_DIRECTIONS = frozenset({Direction.DECLINED, Direction.IMPROVED, Direction.WITHDRAWN})


def is_loud(change: Change) -> bool:
    """Entering or leaving enhanced monitoring, a grade moving or now inadequate, a new
    cause of concern: news that a thread reply also shows in the channel."""
    if change.kind in _LOUD_KINDS:
        return True
    if change.kind is ChangeKind.GRADE:
        return change.direction in _LOUD_DIRECTIONS or change.after == Grade.INADEQUATE
    return (
        change.kind is ChangeKind.FINDING_ADDED
        and change.finding_kind is FindingKind.CAUSE_OF_CONCERN
    )


def mention_markup(mention: str) -> str:
    """`here` → `<!here>`, `channel` → `<!channel>`, S… → `<!subteam^S…>`, U…/W… → `<@U…>`."""
    if mention in ("here", "channel", "everyone"):
        return f"<!{mention}>"
    if mention.startswith("S"):
        return f"<!subteam^{mention}>"
    return f"<@{mention}>"


def with_mention(message: Message, mention: str) -> Message:
    """The message with `mention` (markup) opening its text and its first section."""
    text = f"{mention} {message.text}"
    blocks = list(message.blocks)
    for index, block in enumerate(blocks):
        body = block.get("text")
        if block.get("type") == "section" and isinstance(body, dict) and body.get("text"):
            if len(body["text"]) + len(mention) + 1 <= SECTION_TEXT_MAX:
                blocks[index] = {**block, "text": {**body, "text": f"{mention} {body['text']}"}}
                return replace(message, text=text, blocks=tuple(blocks))
            break
    if blocks and len(blocks) < MAX_BLOCKS:
        at = 1 if blocks[0].get("type") == "header" else 0
        blocks.insert(at, {"type": "section", "text": {"type": "mrkdwn", "text": mention}})
    return replace(message, text=text, blocks=tuple(blocks))


def route_key(route: SlackRoute) -> str:
    return f"slack:{route.channel}" if route.channel else f"webhook:{route.webhook_env}"


@dataclass(frozen=True)
class Router:
    """Which destinations an alert goes to, and how each destination's messages look.

    `routes`: each route with its destination key. `ops`: the key page health takes
    (None: the default's).
    """

    routes: tuple[tuple[SlackRoute, str], ...] = ()
    ops: str | None = None

    @property
    def keys(self) -> tuple[str, ...]:
        """Every destination, routes first (in config order), then ops, then the default."""
        keys = [key for _, key in self.routes] + [self.ops or DEFAULT, DEFAULT]
        return tuple(dict.fromkeys(keys))

    def destinations(self, alert: PendingAlert) -> list[str]:
        """The destinations of one outbox row, in delivery order, never empty."""
        change = alert.change
        if alert.kind == "baseline":
            return [DEFAULT]
        if change is None:  # an operator's note (e.g. a listing re-indexed)
            return [self.ops or DEFAULT]
        health = change.kind in HEALTH_KINDS
        taken = [key for route, key in self.routes if _matches(route, change, health=health)]
        if health and self.ops:
            taken.append(self.ops)
        return list(dict.fromkeys(taken)) or [DEFAULT]

    def mention(self, destination: str, changes: Iterable[Change]) -> str | None:
        """The markup of the mention a message of these changes carries there, if any."""
        changes = list(changes)
        for route, key in self.routes:
            if key != destination or not route.mention:
                continue
            if any(_matches(route, c, health=c.kind in HEALTH_KINDS) for c in changes):
                return mention_markup(route.mention)
        return None

    def threaded(self, destination: str) -> bool:
        return any(route.thread for route, key in self.routes if key == destination)


def _matches(route: SlackRoute, change: Change, *, health: bool) -> bool:
    """Every filter the route sets holds for the change (health only by name)."""
    if route.kinds:
        if str(change.kind) not in route.kinds:
            return False
    elif health:
        return False
    organisations = set(route.forces) | {service_organisation(s) for s in route.services}
    if organisations and change.organisation not in organisations:
        return False
    if route.regions and region_of(change.organisation) not in route.regions:
        return False
    if not route.directions:
        return True
    if change.direction is not None:
        return str(change.direction) in route.directions
    # A kind without a direction (entering Engage, a finding) passes only when named.
    return str(change.kind) in route.kinds


@dataclass(frozen=True)
class Routing:
    """The router and a sender per destination key (what `deliver` is given)."""

    router: Router
    senders: Mapping[str, Notifier]
    labels: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def single(cls, notifier: Notifier) -> Routing:
        """Everything to one sender (no routes): the terminal, or Slack as before routing."""
        return cls(Router(), {DEFAULT: notifier})

    @staticmethod
    def default_of(notifier: Notifier | Routing) -> Notifier:
        """The default destination's sender (a dry run previews there only)."""
        return notifier.senders[DEFAULT] if isinstance(notifier, Routing) else notifier

    def label(self, key: str) -> str:
        return self.labels.get(key, key)


def router_keys(settings: SlackSettings, default_target: str | None) -> Router:
    """The router of `settings`, each destination keyed once.

    `default_target`: the key the default destination also answers to
    (`slack:<channel>` with a bot token, `webhook:SLACK_WEBHOOK_URL`), so a route or
    `ops_channel` naming the default's own channel is that one destination.
    """
    ops = f"slack:{settings.ops_channel}" if settings.ops_channel else None
    same = {default_target: DEFAULT} if default_target else {}
    if ops and ops not in same:
        same[ops] = OPS
    routes = tuple(
        (route, same.get(route_key(route), route_key(route))) for route in settings.routes
    )
    return Router(routes=routes, ops=same.get(ops, OPS) if ops else None)


def sorted_by_destination(
    alerts: Sequence[PendingAlert], keys: Sequence[str]
) -> dict[str, list[PendingAlert]]:
    """The rows of each destination, oldest first, destinations in `keys` order."""
    grouped: dict[str, list[PendingAlert]] = {key: [] for key in keys}
    for alert in alerts:
        if alert.destination in grouped:
            grouped[alert.destination].append(alert)
    return {key: rows for key, rows in grouped.items() if rows}

"""Alert rendering: changes and first-seen pages become Slack Block Kit messages.

Pure: values in, values out. No network, disk or clock; the date seen is passed in.
Every piece of text that came from a page goes through `escape_mrkdwn`, so a page can
never ping a channel, mention a user, inject a link or borrow our formatting. This
module says what an alert says; `slack_message` lays it out within Slack's limits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from urllib.parse import urlsplit

from watcher.catalogue import cycle_label, organisation_name
from watcher.models import Assessment, Change, ChangeKind, Direction, FindingKind, Grade
from watcher.notify.message import (
    SECTION_TEXT_MAX,
    Group,
    Message,
    clip,
    context_block,
    header_block,
    number_parts,
    pack,
    paginate,
    section_block,
    split_entry,
)

BASELINE_MAX_LINES = 25

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# Slack mrkdwn has no escape character for its formatting marks, so page text gets
# visually identical look-alikes instead: they can never open bold, italic, strike or
# code, and unlike zero-width joiners (which Slack's parser handles inconsistently and
# which hide inside copied text) the substitution is visible to anyone who looks
# closely. `&`, `<` and `>` are Slack's own documented escapes; with `<` escaped nothing
# can become a mention (`<!channel>`, `<@U123>`) or a link. Bare "@channel" text cannot
# ping either: we never send `link_names`.
_MRKDWN_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        "*": "∗",  # U+2217 ASTERISK OPERATOR
        "_": "ˍ",  # U+02CD MODIFIER LETTER LOW MACRON
        "~": "∼",  # U+223C TILDE OPERATOR
        "`": "ˋ",  # U+02CB MODIFIER LETTER GRAVE ACCENT
    }
)


def escape_mrkdwn(text: str) -> str:
    """Page text made inert for Slack mrkdwn: no mentions, links or formatting."""
    return text.translate(_MRKDWN_ESCAPES)


def format_date(day: date) -> str:
    """`22 Nov 2026`, the same in every locale."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


# ---------------------------------------------------------------- digest


def render_digest(organisation: str, changes: Sequence[Change], seen_on: date) -> list[Message]:
    """One organisation's changes in one run, as one message or, when long, several.

    Every alertable change appears in exactly one message; noted practice never does,
    nor page health (see `render_health`). No changes to alert: no messages.
    """
    alerting = [c for c in changes if c.alerts and c.kind not in HEALTH_KINDS]
    if not alerting:
        return []
    name = organisation_name(organisation)
    monitoring = [c for c in alerting if c.kind in _MONITORING]
    groups = [_monitoring_group(monitoring, seen_on)] if monitoring else []
    by_page: dict[str, list[Change]] = {}
    for change in alerting:
        if change.kind not in _MONITORING:
            by_page.setdefault(change.url, []).append(change)
    groups += [_page_group(page_changes, seen_on) for page_changes in by_page.values()]
    kinds = {c.kind for c in alerting}
    if ChangeKind.MONITORING_ENTERED in kinds:
        title = f":rotating_light: {name}: entered enhanced monitoring"
    elif kinds == {ChangeKind.MONITORING_LEFT}:
        title = f"{name}: left enhanced monitoring"
    else:
        title = f"{name}: inspection changes"
    return number_parts(title, _summary(name, alerting), paginate(groups))


_MONITORING = (ChangeKind.MONITORING_ENTERED, ChangeKind.MONITORING_LEFT)
_KIND_ORDER = {
    ChangeKind.REPORT_PUBLISHED: 0,
    ChangeKind.GRADE: 1,
    ChangeKind.FINDING_ADDED: 2,
    ChangeKind.FINDING_REWORDED: 3,
    ChangeKind.FINDING_RESOLVED: 4,
}
_FINDING_ORDER = {
    FindingKind.CAUSE_OF_CONCERN: 0,
    FindingKind.AREA_FOR_IMPROVEMENT: 1,
    FindingKind.RECOMMENDATION: 2,
}


def _monitoring_group(changes: Sequence[Change], seen_on: date) -> Group:
    entries = [_monitoring_line(c) for c in changes]
    links = dict.fromkeys(c.url for c in changes)
    context = " · ".join([f"Seen {format_date(seen_on)}", *(_link(u, _VIEW) for u in links)])
    return Group("", tuple(pack(entries)), context)


def _page_group(changes: Sequence[Change], seen_on: date) -> Group:
    ordered = sorted(changes, key=_display_order)
    entries = [chunk for c in ordered for chunk in split_entry(_ENTRIES[c.kind](c))]
    cycle = changes[0].cycle
    label = escape_mrkdwn(cycle_label(cycle)) if cycle else "Other pages"
    seen = [f"Seen {format_date(seen_on)}", label] if cycle else [f"Seen {format_date(seen_on)}"]
    seen[1:1] = _since_archived(changes)
    context = " · ".join([*seen, _link(changes[0].url, _VIEW)])
    return Group(f"*{clip(label, 100)}*", tuple(pack(entries)), context)


def _since_archived(changes: Sequence[Change]) -> list[str]:
    """What these changes were found against, when it was a web archive's copy."""
    archived = next((c.since_archived for c in changes if c.since_archived), "")
    if not archived:
        return []
    return [f"since the archived copy of {format_date(datetime.fromisoformat(archived).date())}"]


def _display_order(change: Change) -> tuple[int, int]:
    finding = _FINDING_ORDER.get(change.finding_kind, 9) if change.finding_kind else 9
    return _KIND_ORDER.get(change.kind, 9), finding


def _monitoring_line(change: Change) -> str:
    """The status line, then what the page says of it (kept as written, never recased)."""
    if change.kind is ChangeKind.MONITORING_ENTERED:
        title, note = ":rotating_light: *Entered enhanced monitoring (Engage)*", change.after
    else:
        title, note = ":white_check_mark: *Left enhanced monitoring (Engage)*", change.before
    if not note or note.strip().lower() == "engage":
        return title
    return f"{title}\n{_quote(escape_mrkdwn(note))}"


_VIEW = "View the page"
_DIRECTION_MARKS = {
    Direction.IMPROVED: ":arrow_up_small: improved",
    Direction.DECLINED: ":small_red_triangle_down: declined",
    Direction.FIRST: ":new: first grade",
    Direction.WITHDRAWN: ":heavy_minus_sign: withdrawn",
    Direction.CHANGED: "changed",
}


def _grade_line(change: Change) -> str:
    unit = escape_mrkdwn(change.unit_label or change.unit)
    before, after = _grade_label(change.before), _grade_label(change.after)
    if before and after:
        movement = f"{before} → {after}"
    elif after:
        movement = after
    else:
        movement = f"{before} → no grade shown"
    mark = _DIRECTION_MARKS[change.direction] if change.direction else "changed"
    return f"*{unit}*: {movement} {mark}"


def _grade_label(value: str | None) -> str:
    if not value:
        return ""
    try:
        return Grade(value).label
    except ValueError:
        return escape_mrkdwn(value.replace("_", " ").capitalize())


def _finding_title(change: Change, template: str) -> str:
    kind = change.finding_kind.label if change.finding_kind else "Finding"
    title = template.format(kind=kind, lower=kind.lower())
    unit = change.unit_label or change.unit
    return f"{title} · {escape_mrkdwn(unit)}" if unit else title


def _finding_added(change: Change) -> str:
    concern = change.finding_kind is FindingKind.CAUSE_OF_CONCERN
    emoji = ":warning:" if concern else ":heavy_plus_sign:"
    title = _finding_title(change, emoji + " *New {lower}*")
    return f"{title}\n{_quote(escape_mrkdwn(change.after or ''))}"


def _finding_resolved(change: Change) -> str:
    title = _finding_title(change, ":white_check_mark: *{kind} resolved*")
    return f"{title}\n{_quote(escape_mrkdwn(change.before or ''))}"


def _finding_reworded(change: Change) -> str:
    title = _finding_title(change, ":pencil2: *{kind} reworded*")
    if change.wording is None:
        was, now = escape_mrkdwn(change.before or ""), escape_mrkdwn(change.after or "")
        return f"{title}\nWas:\n{_quote(was)}\nNow:\n{_quote(now)}"
    return f"{title}\n{_quote(_word_diff(change.wording.segments))}"


# Each word is marked on its own: Slack only formats a run whose marks touch
# non-space characters, and a split between sections can then never cut a mark in two.
_DIFF_MARKS = {"delete": "~{}~", "insert": "*{}*"}


def _word_diff(segments: Sequence[tuple[str, str]]) -> str:
    words = []
    for op, text in segments:
        mark = _DIFF_MARKS.get(op, "{}")
        words += [mark.format(escape_mrkdwn(word)) for word in text.split()]
    return " ".join(words)


def _report_published(change: Change) -> str:
    target = change.after if _is_web_url(change.after) else change.url
    label = escape_mrkdwn(change.unit_label) if change.unit_label else "Read the report"
    return f":page_facing_up: *New report published*: {_link(target or '', label)}"


_ENTRIES: dict[ChangeKind, Callable[[Change], str]] = {
    ChangeKind.GRADE: _grade_line,
    ChangeKind.FINDING_ADDED: _finding_added,
    ChangeKind.FINDING_RESOLVED: _finding_resolved,
    ChangeKind.FINDING_REWORDED: _finding_reworded,
    ChangeKind.REPORT_PUBLISHED: _report_published,
    ChangeKind.MONITORING_ENTERED: _monitoring_line,
    ChangeKind.MONITORING_LEFT: _monitoring_line,
}


def _quote(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines()] or [""]
    return "\n".join(f"> {line}" if line else ">" for line in lines)


# ---------------------------------------------------------------- summary text

_FINDING_NOUNS = {
    FindingKind.CAUSE_OF_CONCERN: ("cause of concern", "causes of concern"),
    FindingKind.AREA_FOR_IMPROVEMENT: ("area for improvement", "areas for improvement"),
    FindingKind.RECOMMENDATION: ("recommendation", "recommendations"),
}
_FINDING_VERBS = {
    ChangeKind.FINDING_ADDED: "new",
    ChangeKind.FINDING_REWORDED: "reworded",
    ChangeKind.FINDING_RESOLVED: "resolved",
}


def _summary(name: str, changes: Sequence[Change]) -> str:
    """The one-line fallback text: what a notification or a screen reader shows."""
    kinds = [c.kind for c in changes]
    parts = []
    if ChangeKind.MONITORING_ENTERED in kinds:
        parts.append("entered enhanced monitoring")
    if ChangeKind.MONITORING_LEFT in kinds:
        parts.append("left enhanced monitoring")
    parts += _counted(kinds.count(ChangeKind.GRADE), "grade change", "grade changes")
    parts += _counted(kinds.count(ChangeKind.REPORT_PUBLISHED), "new report", "new reports")
    findings = [(c.kind, c.finding_kind) for c in changes]
    for verb_kind, verb in _FINDING_VERBS.items():
        for finding_kind, (one, many) in _FINDING_NOUNS.items():
            count = findings.count((verb_kind, finding_kind))
            parts += _counted(count, f"{verb} {one}", f"{verb} {many}")
    return f"{escape_mrkdwn(name)}: {', '.join(parts) or 'changes'}"


def _counted(count: int, one: str, many: str) -> list[str]:
    if count == 0:
        return []
    return [f"{count} {one if count == 1 else many}"]


def render_overflow(organisation: str, changes: Sequence[Change], seen_on: date) -> Message:
    """The rest of an organisation's changes past `[alerts] max_messages`, by count only.

    Never their text: a page gaining thousands of findings makes one short message,
    with the command that shows them all.
    """
    alerting = [c for c in changes if c.alerts and c.kind not in HEALTH_KINDS]
    name = organisation_name(organisation) if organisation else "Other pages"
    counts = _summary(name, alerting).split(": ", 1)[-1]
    command = f"watcher history {organisation}" if organisation else "watcher status"
    noun = "change" if len(alerting) == 1 else "changes"
    title = f"{name}: {len(alerting)} more {noun} not shown"
    body = (
        f"{escape_mrkdwn(counts)}.\nToo many to post in one run: run `{escape_mrkdwn(command)}` "
        "to see them all."
    )
    blocks = (
        header_block(clip(title, 150)),
        section_block(body),
        context_block(f"Seen {format_date(seen_on)}"),
    )
    return Message(text=f"{escape_mrkdwn(title)}: {escape_mrkdwn(counts)}", blocks=blocks)


# ---------------------------------------------------------------- baseline


def render_baseline(assessments: Sequence[Assessment], seen_on: date) -> Message:
    """One short "Now watching" note for pages seen for the first time: never an alert each."""
    count = len(assessments)
    noun = "page" if count == 1 else "pages"
    lines = [_baseline_line(a) for a in assessments[:BASELINE_MAX_LINES]]
    if count > BASELINE_MAX_LINES:
        lines.append(f"… and {count - BASELINE_MAX_LINES} more")
    context = (
        f"Seen {format_date(seen_on)} · what these pages show now is the baseline; "
        "only changes from here on are alerted"
    )
    blocks = [header_block(f"Now watching {count} {noun}")]
    blocks += [section_block(text) for text in pack(lines, SECTION_TEXT_MAX)]
    blocks.append(context_block(context))
    return Message(text=f"Now watching {count} {noun} (baseline recorded)", blocks=tuple(blocks))


def _baseline_line(assessment: Assessment) -> str:
    if assessment.organisation:
        name = organisation_name(assessment.organisation)
    else:
        name = assessment.title or assessment.url
    name = _link(assessment.url, escape_mrkdwn(clip(name, 80)))
    parts = [name]
    if assessment.cycle:
        parts.append(escape_mrkdwn(cycle_label(assessment.cycle)))
    if assessment.kind.is_multi:
        parts.append("every organisation listed is compared on its own")
        return "• " + " · ".join(parts)
    grades = sum(1 for j in assessment.judgements if j.grade.is_graded)
    findings = sum(1 for f in assessment.findings if f.kind.alerts)
    recorded = _counted(grades, "grade", "grades") + _counted(findings, "finding", "findings")
    parts.append(", ".join(recorded) or "no grades or findings yet")
    return "• " + " · ".join(parts)


# ---------------------------------------------------------------- page health

HEALTH_KINDS = frozenset(
    {
        ChangeKind.PAGE_UNREACHABLE,
        ChangeKind.PAGE_REACHABLE,
        ChangeKind.PAGE_UNREADABLE,
        ChangeKind.PAGE_READABLE,
    }
)
_REASON_MAX = 300


def render_health(changes: Sequence[Change], seen_on: date) -> list[Message]:
    """Pages that keep failing, or read again after that, in one message for all forces.

    Page health is not inspection news: it never joins a force's digest, and a site
    outage makes one message, not one per force. Pass `PAGE_UNREACHABLE` changes
    (`before`: failed runs in a row, `after`: the last reason, `basis`: when the
    failures began) and `PAGE_REACHABLE` ones.
    """
    by_kind = {kind: [c for c in changes if c.kind is kind] for kind in _HEALTH_ORDER}
    if not any(by_kind.values()):
        return []
    counts = [
        part
        for kind, (one, many) in _HEALTH_COUNTS.items()
        for part in _counted(len(by_kind[kind]), one, many)
    ]
    title = f"Watcher: {', '.join(counts)}"
    context = (
        f"Seen {format_date(seen_on)} · a page that cannot be read is compared with nothing "
        "and raises no grade or finding alert; its next good read is compared with its last"
    )
    entries = [_health_line(c) for kind in _HEALTH_ORDER for c in by_kind[kind]]
    return number_parts(title, title, paginate([Group("", tuple(pack(entries)), context)]))


# Layout trouble first: "can't read reliably" means the site changed, not the network.
_HEALTH_ORDER = (
    ChangeKind.PAGE_UNREADABLE,
    ChangeKind.PAGE_UNREACHABLE,
    ChangeKind.PAGE_READABLE,
    ChangeKind.PAGE_REACHABLE,
)
_HEALTH_COUNTS = {
    ChangeKind.PAGE_UNREADABLE: ("page can't be read reliably", "pages can't be read reliably"),
    ChangeKind.PAGE_UNREACHABLE: ("page unreachable", "pages unreachable"),
    ChangeKind.PAGE_READABLE: ("page reads reliably again", "pages read reliably again"),
    ChangeKind.PAGE_REACHABLE: ("page readable again", "pages readable again"),
}


def _health_line(change: Change) -> str:
    page = _page_label(change)
    if change.kind is ChangeKind.PAGE_REACHABLE:
        return f":white_check_mark: {page}: readable again"
    if change.kind is ChangeKind.PAGE_READABLE:
        return f":white_check_mark: {page}: reads reliably again"
    if change.kind is ChangeKind.PAGE_UNREADABLE:
        why = escape_mrkdwn(clip(change.after or "no reason recorded", _REASON_MAX))
        return (
            f":jigsaw: can't read {page} reliably: {why} (the site's layout or wording may "
            "have changed; nothing is alerted for this page until it reads well)"
        )
    reason = escape_mrkdwn(clip(change.after or "no reason recorded", _REASON_MAX))
    runs = "on this run" if change.before == "1" else f"for {change.before or 'several'} runs"
    in_a_row = "" if change.before == "1" else " in a row"
    return f":warning: {page}: unreachable {runs}{in_a_row}{_since(change.basis)}: {reason}"


def _page_label(change: Change) -> str:
    names = [organisation_name(change.organisation) if change.organisation else ""]
    names.append(cycle_label(change.cycle) if change.cycle else "")
    name = " · ".join(escape_mrkdwn(n) for n in names if n)
    path = escape_mrkdwn(urlsplit(change.url).path or change.url)
    return f"*{name}* · {_link(change.url, path)}" if name else _link(change.url, path)


def _since(basis: str) -> str:
    try:
        return f" (since {format_date(datetime.fromisoformat(basis).date())})"
    except ValueError:
        return ""


# ---------------------------------------------------------------- links


def _is_web_url(value: str | None) -> bool:
    return bool(value) and str(value).startswith(("https://", "http://"))


def _link(url: str, label: str) -> str:
    """`<url|label>` for our own links; label is mrkdwn, already escaped."""
    if not _is_web_url(url):
        return label
    safe = url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
    return f"<{safe}|{label}>"

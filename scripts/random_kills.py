"""Random SIGKILLs during delivery, many trials per Slack mode; the figures for the docs.

    python scripts/random_kills.py --trials 40 --write

Each trial queues a dozen messages, SIGKILLs a real `watcher check` at a random instant
once delivery has begun, recovers, and counts each message's arrivals in the fake Slack
(`tests/random_kills.py`). `--write` puts the table into `docs/reliability.md` between
its `random-kills` markers.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.random_kills import MESSAGES, Figures, trials  # noqa: E402

BEGIN, END = "<!-- random-kills: begin -->", "<!-- random-kills: end -->"


def table(figures: list[Figures], command: str) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    rows = [
        "| Slack mode | trials | killed during delivery | messages queued | lost "
        "| duplicated | trials with a duplicate |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for f in figures:
        rows.append(
            f"| {f.mode} | {f.trials} | {f.killed} | {f.trials * MESSAGES} | {f.lost} "
            f"| {f.duplicated} | {f.trials_with_duplicates} |"
        )
    return "\n".join([*rows, "", f"Measured {when} with `{command}`."])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--write", action="store_true", help="update docs/reliability.md")
    args = parser.parse_args()
    figures = [trials(mode, args.trials, args.seed) for mode in ("bot", "webhook")]
    command = f"python scripts/random_kills.py --trials {args.trials} --seed {args.seed}"
    text = table(figures, command + (" --write" if args.write else ""))
    print(text)
    if args.write:
        doc = REPO / "docs" / "reliability.md"
        content = doc.read_text(encoding="utf-8")
        start, end = content.index(BEGIN) + len(BEGIN), content.index(END)
        doc.write_text(content[:start] + "\n" + text + "\n" + content[end:], encoding="utf-8")


if __name__ == "__main__":
    main()

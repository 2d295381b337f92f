"""Run the fault suite and report its measured figures as a Markdown table.

    python scripts/reliability_report.py          # run, then print the table
    python scripts/reliability_report.py --write  # run, then refresh docs/reliability.md

Nothing here is typed in: each scenario of `tests/test_faults_*.py` counts what reached
the fake Slack against what should have (`tests/fault_kit.py`, `record`) and appends
its figures to the ledger file named by `WATCHER_RELIABILITY_OUT`; this script sets that
variable, runs pytest, and sums the ledger.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "reliability.md"
SUITES = sorted(str(p.relative_to(REPO)) for p in (REPO / "tests").glob("test_faults_*.py"))
BEGIN, END = "<!-- figures: begin -->", "<!-- figures: end -->"
FAMILIES = {"site": "Site", "slack": "Slack", "process": "Process", "hostile": "Hostile input"}
OUTCOME_MAX = 110


def run_suite(ledger: Path) -> str:
    """Run the fault suites with the ledger switched on; pytest's summary line."""
    env = {**os.environ, "WATCHER_RELIABILITY_OUT": str(ledger)}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SUITES]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    lines = [line for line in done.stdout.splitlines() if re.search(r"\d+ (passed|failed)", line)]
    return lines[-1].strip("= ") if lines else f"pytest exited {done.returncode}"


def read_ledger(ledger: Path) -> list[dict[str, Any]]:
    if not ledger.exists():
        return []
    return [json.loads(line) for line in ledger.read_text(encoding="utf-8").splitlines()]


def _cell(value: object) -> str:
    text = "—" if value is None else str(value)
    text = " ".join(text.split())
    if len(text) > OUTCOME_MAX:
        text = text[: OUTCOME_MAX - 1] + "…"
    return text.replace("|", "\\|").replace("`", "'")


def table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| family | fault injected | what the watcher did (measured) "
        "| expected | delivered | duplicates | false alerts |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    order = list(FAMILIES)
    for row in sorted(rows, key=lambda r: order.index(r["family"])):
        figures = [row[key] for key in ("expected", "delivered", "duplicates", "false_alerts")]
        if row["window"]:
            figures[2] = f"{figures[2]} (window)"
        cells = [FAMILIES[row["family"]], row["fault"], row["outcome"], *figures]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return lines


def totals(rows: list[dict[str, Any]], summary: str) -> list[str]:
    def total(key: str, window: bool | None = None) -> int:
        chosen = [r for r in rows if window is None or r["window"] == window]
        return sum(r[key] or 0 for r in chosen)

    in_window = [r for r in rows if r["window"]]
    return [
        f"- faults tried: **{len(rows)}**",
        f"- alerts expected: **{total('expected')}**",
        f"- alerts delivered: **{total('delivered')}**",
        f"- duplicates: **{total('duplicates', window=False)}**",
        f"- false alerts: **{total('false_alerts')}**",
        f"- resent inside the documented window: {total('duplicates', window=True)} alerts, "
        f"in {len(in_window)} scenarios (one message each; see the bound above)",
        f"- suite: {summary} ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"`python scripts/reliability_report.py --write`)",
    ]


def report() -> str:
    with tempfile.TemporaryDirectory() as scratch:
        ledger = Path(scratch) / "ledger.jsonl"
        summary = run_suite(ledger)
        rows = read_ledger(ledger)
    return "\n".join([*totals(rows, summary), "", *table(rows)])


def write(text: str) -> None:
    doc = DOC.read_text(encoding="utf-8")
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}", encoding="utf-8")


def main(argv: list[str]) -> int:
    text = report()
    if "--write" in argv:
        write(text)
        print(f"wrote {DOC.relative_to(REPO)}")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

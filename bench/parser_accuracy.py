"""Parser accuracy on the PEEL 2021+ report fixtures: read right, unreadable, wrong.

Run from the repository root: `python bench/parser_accuracy.py`. For each fixture page
of a 2021+ report (`tests/fixtures/pages/*peel*.html` with a `peel-reports/` address)
the parser's grades are compared with the case's expected JSON:

- right: the page reads (no `unreadable`) and its grades are the expected ones;
- unreadable: the parser says it cannot read the page reliably (expected or not);
- wrong: the page reads, and its grades are not the expected ones. Must be 0.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from watcher.parse import parse  # noqa: E402

PAGES = REPO / "tests" / "fixtures" / "pages"


def family(case: str) -> str:
    """The case's layout family: its name without the outcome."""
    for outcome in ("-right", "-disagree", "-no-text", "-no-guess", "-short", "-no-count"):
        case = case.removesuffix(outcome)
    return case


def main() -> int:
    tally: dict[str, Counter[str]] = {}
    for case in sorted(PAGES.glob("*.json")):
        expected = json.loads(case.read_text(encoding="utf-8"))
        if not isinstance(expected, dict) or "/peel-reports/" not in expected["url"]:
            continue
        grades = [(j["unit"], j["grade"]) for j in expected["judgements"]]
        for page in sorted(PAGES.glob(f"{case.stem}.*.html")):
            got = parse(page.read_bytes(), expected["url"])
            read = [(j.unit, j.grade.value) for j in got.judgements]
            outcome = "unreadable" if got.unreadable else "right" if read == grades else "wrong"
            tally.setdefault(family(case.stem), Counter())[outcome] += 1
    total: Counter[str] = Counter()
    print("| family | pages | right | unreadable | wrong |\n|---|---:|---:|---:|---:|")
    for name, counts in sorted(tally.items()):
        total.update(counts)
        row = (sum(counts.values()), counts["right"], counts["unreadable"], counts["wrong"])
        print(f"| {name} | " + " | ".join(map(str, row)) + " |")
    row = (sum(total.values()), total["right"], total["unreadable"], total["wrong"])
    print("| **all** | " + " | ".join(map(str, row)) + " |")
    return 1 if total["wrong"] else 0


if __name__ == "__main__":
    raise SystemExit(main())

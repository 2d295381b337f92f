"""The README stays true: its two commands are the demo and exactly what CI runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parent.parent


def code_blocks(text: str) -> list[str]:
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", text, re.DOTALL)]


def test_first_command_runs_the_demo_and_second_is_ci() -> None:
    """The README's first command sets up and runs the demo; the second is .ci/run's."""
    first, second = code_blocks((ROOT / "README.md").read_text(encoding="utf-8"))[:2]
    assert first.startswith("python3 -m venv .venv")
    assert first.endswith("watcher demo")
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert second in ci_lines
    assert "pytest" in second

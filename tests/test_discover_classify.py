"""The classifier as data: titles, labels and addresses -> kind and organisations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from watcher.discover import classify

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "fixtures" / "discover" / "classify.json").read_text("utf-8")
)


@pytest.mark.parametrize("case", CASES, ids=[c["title"][:50] for c in CASES])
def test_item_is_classified(case: dict[str, Any]) -> None:
    """Each real title shape gives its kind and its organisations (police or fire first)."""
    found = classify(case["label"], case["title"], case["path"], case.get("tags", ""))
    assert str(found.kind) == case["kind"]
    assert list(found.organisations) == case["organisations"]
    assert found.national is (not case["organisations"])

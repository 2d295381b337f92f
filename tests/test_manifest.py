"""The Slack app manifest asks for exactly the scopes the Web API methods we call need."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Slack's documented bot scopes for each Web API method the watcher may call.
SCOPES = {
    "chat_postMessage": {"chat:write"},
    "conversations_history": {"channels:history", "groups:history"},
    "conversations_replies": {"channels:history", "groups:history"},
}


def manifest_scopes() -> set[str]:
    text = (ROOT / "deploy" / "slack-app-manifest.yml").read_text(encoding="utf-8")
    block = text.split("bot:", 1)[1].split("settings:", 1)[0]
    return set(re.findall(r"^\s+-\s+([a-z.:_]+)", block, re.MULTILINE))


def methods_called() -> set[str]:
    called: set[str] = set()
    for path in (ROOT / "watcher").rglob("*.py"):
        called |= set(re.findall(r"\.(chat_\w+|conversations_\w+|users_\w+)\b", path.read_text()))
    return called


def test_manifest_scopes_match_the_methods_the_code_calls() -> None:
    """Every method called has its scopes in the manifest, and the manifest asks no more."""
    called = methods_called()
    assert called <= set(SCOPES), f"a method with no known scope: {called - set(SCOPES)}"
    needed = set().union(*(SCOPES[method] for method in called))
    assert manifest_scopes() == needed

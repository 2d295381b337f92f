"""The parser's fingerprint: the same code gives the same one, any change to it another."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from watcher.parse import version


def _fingerprint_of(package: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(version, "_PACKAGE", package)
    version.parser_fingerprint.cache_clear()
    try:
        return version.parser_fingerprint()
    finally:
        version.parser_fingerprint.cache_clear()


def test_the_fingerprint_follows_the_parsing_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = version.parser_fingerprint()
    source = Path(version.__file__).resolve().parent
    copy = tmp_path / "watcher" / "parse"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(source.parent / "models.py", copy.parent / "models.py")
    first = _fingerprint_of(copy, monkeypatch)
    assert first == _fingerprint_of(copy, monkeypatch)
    assert first == real  # the copy is this code

    chrome = copy / "chrome.py"
    chrome.write_text(chrome.read_text() + "\n# a change\n")
    changed = _fingerprint_of(copy, monkeypatch)
    assert changed != first
    (copy.parent / "models.py").write_text("# another model\n")
    assert _fingerprint_of(copy, monkeypatch) not in (first, changed)

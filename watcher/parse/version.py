"""Which parser made a reading: a fingerprint of the code that reads pages.

A stored reading carries it, so a later version can tell a reading of its own from an
earlier one's (`basis`): only an earlier version's reading is worth reading again
before it is compared. The fingerprint is a hash of the parse package's source and of
the models it fills in; where the source cannot be read, the installed version.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def parser_fingerprint() -> str:
    """Twelve hex digits that change whenever the parsing code does."""
    digest = hashlib.sha256()
    try:
        files = [*sorted(_PACKAGE.rglob("*.py")), _PACKAGE.parent / "models.py"]
        for path in files:
            digest.update(path.relative_to(_PACKAGE.parent).as_posix().encode())
            digest.update(path.read_bytes())
    except OSError:
        from importlib.metadata import PackageNotFoundError, version

        try:
            return f"v{version('hmicfrs-watcher')}"
        except PackageNotFoundError:
            return "unknown"
    return digest.hexdigest()[:12]

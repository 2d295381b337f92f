"""Build the replay archive `watcher demo` serves: watcher/demo/archive/.

Run from the repository root after changing the story in scripts/demo_*.py:

    python scripts/build_demo_archive.py          # rewrite the archive
    python scripts/build_demo_archive.py --check  # exit 1 if the archive is out of date

The archive is `manifest.json` (the runs, their dates and story, and per page which
version the site serves at each run, null for a 404) and one HTML file per distinct
version of a page under `pages/<page>/`. The story, the page texts and which alert each
step is designed to produce are in `demo_pages.py`.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

from demo_pages import PAGES, STEPS, DemoPage

REPO = Path(__file__).resolve().parents[1]
ARCHIVE = REPO / "watcher" / "demo" / "archive"
NOTE = (
    "Illustrative copies of HMICFRS pages, in the wording of the real pages: the grades, "
    "findings and dates are made up for the demo and are not these forces' real grades."
)


def archive_files() -> dict[str, bytes]:
    """Every file of the archive by its path relative to the archive folder."""
    files: dict[str, bytes] = {}
    pages = []
    for demo_page in PAGES:
        _check(demo_page)
        names = [f"pages/{demo_page.key}/{n + 1}.html" for n in range(len(demo_page.versions))]
        for name, version in zip(names, demo_page.versions, strict=True):
            files[name] = version.encode("utf-8")
        pages.append(_manifest_page(demo_page, names))
    steps = [{"date": step.date, "story": list(step.story)} for step in STEPS]
    manifest = {"format": 1, "note": NOTE, "steps": steps, "pages": pages}
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    files["manifest.json"] = text.encode("utf-8")
    return files


def _manifest_page(demo_page: DemoPage, names: list[str]) -> dict[str, Any]:
    return {
        "path": demo_page.path,
        "organisation": demo_page.organisation,
        "cycle": demo_page.cycle,
        "schedule": [None if v is None else names[v] for v in demo_page.schedule],
    }


def _check(demo_page: DemoPage) -> None:
    if len(demo_page.schedule) != len(STEPS):
        raise SystemExit(f"{demo_page.key}: {len(demo_page.schedule)} steps, not {len(STEPS)}")
    if len(set(demo_page.versions)) != len(demo_page.versions):
        raise SystemExit(f"{demo_page.key}: two versions are the same page")


def current_files(folder: Path) -> dict[str, bytes]:
    """The archive as it is on disk."""
    if not folder.exists():
        return {}
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def write(files: dict[str, bytes], folder: Path) -> None:
    """Replace the archive folder's content with `files`."""
    if folder.exists():
        shutil.rmtree(folder)
    for name, content in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def main(argv: list[str]) -> int:
    files = archive_files()
    if "--check" in argv:
        if current_files(ARCHIVE) != files:
            print("watcher/demo/archive is out of date: run scripts/build_demo_archive.py")
            return 1
        return 0
    write(files, ARCHIVE)
    size = sum(len(content) for content in files.values())
    print(f"wrote {len(files)} files, {size:,} bytes, to {ARCHIVE.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

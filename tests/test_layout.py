"""The package reads as the pipeline: its map is true, its stages keep their insides private."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "watcher"
STAGES = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[str]:
    """The watcher modules a file imports at run time (not those under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for statement in node.body
        for inner in ast.walk(statement)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("watcher"):
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("watcher")]
    return found


def test_architecture_names_every_module() -> None:
    """docs/architecture.md names every module by its path under watcher/ or in its folder row."""
    lines = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8").splitlines()
    doc = "\n".join(lines)
    missing = []
    for path in _modules():
        if path.name == "__init__.py":
            continue
        relative = path.relative_to(PACKAGE).as_posix()
        folder = f"`{path.parent.relative_to(PACKAGE).as_posix()}/`"
        named_in_row = any(folder in line and f"`{path.name}`" in line for line in lines)
        if f"`{relative}`" not in doc and not named_in_row:
            missing.append(relative)
    assert not missing, f"not described in docs/architecture.md: {missing}"


def test_every_stage_package_is_in_the_architecture_table() -> None:
    """Each package under watcher/ has a row of its own in docs/architecture.md."""
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert STAGES, "no packages found"
    assert [s for s in STAGES if f"| **`{s}/`** |" not in doc] == []


def test_packages_say_what_they_do_and_export_names() -> None:
    """Every stage package's __init__ has a docstring and an __all__ it really defines."""
    import importlib

    for stage in STAGES:
        module = importlib.import_module(f"watcher.{stage}")
        assert (module.__doc__ or "").strip(), stage
        exported = getattr(module, "__all__", [])
        assert exported, stage
        assert all(hasattr(module, name) for name in exported), stage


def test_no_module_reaches_into_another_stage() -> None:
    """Outside a stage package, the program imports the package, never its modules."""
    offenders = []
    for path in _modules():
        own = _module_name(path).split(".")
        for imported in _imports(path):
            parts = imported.split(".")
            inside_own = len(own) > 1 and parts[:2] == own[:2]
            if len(parts) > 2 and parts[1] in STAGES and not inside_own:
                offenders.append(f"{_module_name(path)} imports {imported}")
    assert offenders == []


def test_no_import_cycles() -> None:
    """The modules' run-time imports form no cycle (a package counts as its __init__)."""
    graph: dict[str, set[str]] = {}
    names = {_module_name(p) for p in _modules()}
    for path in _modules():
        graph[_module_name(path)] = {m for m in _imports(path) if m in names}
    done: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        if node in trail:
            cycles.append([*trail[trail.index(node) :], node])
            return
        if node in done:
            return
        for nxt in sorted(graph.get(node, ())):
            visit(nxt, [*trail, node])
        done.add(node)

    for node in sorted(graph):
        visit(node, [])
    assert cycles == []


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git to copy the tracked files")
def test_plain_install_ships_the_demo_archive(tmp_path: Path) -> None:
    """A non-editable install (a built wheel) carries the archive and py.typed; the demo runs."""
    source = tmp_path / "source"
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, tracked):
        target = source / name.decode()
        if (ROOT / name.decode()).is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name.decode(), target)
    wheels, site = tmp_path / "wheels", tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "-q", "--disable-pip-version-check"]
    build = ["wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(source)]
    subprocess.run([*pip, *build], check=True, capture_output=True)
    wheel = next(wheels.glob("*.whl"))
    install = ["install", "--no-deps", "--target", str(site), str(wheel)]
    subprocess.run([*pip, *install], check=True, capture_output=True)
    assert (site / "watcher" / "py.typed").is_file()
    assert list((site / "watcher" / "demo" / "archive").rglob("*.html"))
    assert (site / "watcher" / "outputs" / "templates" / "base.html.j2").is_file()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "WATCHER_"))}
    env["PYTHONPATH"] = str(site)
    code = "import watcher, sys; print(watcher.__file__); sys.argv = ['watcher', 'demo']; "
    code += "from watcher.cli import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines()[0].startswith(str(site))
    assert "alerts" in done.stdout

"""The layout holds the architecture: import contracts, imports at the top, short modules."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("claims", "sources", "claimtracker")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
    "importlinter"
]["contracts"]
MAX_LINES = 450

# Functions allowed an import inside them for now, with the reason; the list may only shrink.
KNOWN_FUNCTION_IMPORTS: dict[tuple[str, str], str] = {}
# Modules allowed over MAX_LINES for now, with the reason; the list may only shrink.
KNOWN_LONG_MODULES: dict[str, str] = {}


def _modules() -> list[Path]:
    """Every Python module of the three packages, migrations excluded (they are generated)."""
    found = []
    for package in PACKAGES:
        found += [p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts]
    return sorted(found)


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _is_app_ready(function: ast.AST, owner: ast.AST | None) -> bool:
    """AppConfig.ready() is where Django wants imports that need the app registry."""
    if not isinstance(owner, ast.ClassDef) or getattr(function, "name", "") != "ready":
        return False
    return any(ast.unparse(base).split(".")[-1] == "AppConfig" for base in owner.bases)


def _imports_inside_functions(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, function name) of each import whose nearest enclosing function is not a ready()."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST, function: ast.AST | None, owner: ast.AST | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom) and function is not None:
                if not _is_app_ready(function, owner):
                    found.append((child.lineno, function.name))
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, child, node)
            else:
                visit(child, function, owner if function is not None else child)

    visit(tree, None, None)
    return found


@pytest.mark.parametrize("contract", CONTRACTS, ids=[c["id"] for c in CONTRACTS])
def test_import_contract_is_kept(contract: dict) -> None:
    """Each contract of pyproject.toml, checked as `make lint` checks it."""
    run = subprocess.run(
        [LINT_IMPORTS, "--no-cache", "--no-logo", "--contract", contract["id"]],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, f"broken import contract: {contract['name']}\n{run.stdout}"


def test_no_module_imports_inside_a_function_but_in_app_ready() -> None:
    """STYLE: imports at the top, so a module shows what it depends on; ready() is the exception."""
    found = {}
    for path in _modules():
        for line, function in _imports_inside_functions(ast.parse(path.read_text("utf-8"))):
            found.setdefault((_name(path), function), []).append(line)
    unexpected = [
        f"{path}:{lines[0]} imports inside {function}()"
        for (path, function), lines in found.items()
        if (path, function) not in KNOWN_FUNCTION_IMPORTS
    ]
    assert not unexpected, "imports belong at the top of the module:\n" + "\n".join(unexpected)
    stale = set(KNOWN_FUNCTION_IMPORTS) - set(found)
    assert not stale, f"no longer import inside a function, drop from the known list: {stale}"


def test_no_module_is_over_450_lines() -> None:
    """STYLE: a module past ~450 lines is split by concept (never into a utils)."""
    lengths = {_name(p): len(p.read_text("utf-8").splitlines()) for p in _modules()}
    long = {name: n for name, n in lengths.items() if n > MAX_LINES}
    unexpected = [
        f"{name}: {n} lines" for name, n in long.items() if name not in KNOWN_LONG_MODULES
    ]
    assert not unexpected, f"split by concept, under {MAX_LINES} lines:\n" + "\n".join(unexpected)
    stale = set(KNOWN_LONG_MODULES) - set(long)
    assert not stale, f"now {MAX_LINES} lines or fewer, drop from the known list: {stale}"


def test_the_checks_see_imports_inside_functions() -> None:
    """The ast walk itself: a nested import is found, ready() of an AppConfig is not."""
    source = (
        "import os\n"
        "class Config(AppConfig):\n"
        "    def ready(self):\n"
        "        import signals\n"
        "class Other:\n"
        "    def ready(self):\n"
        "        import signals\n"
        "def outer():\n"
        "    def inner():\n"
        "        from x import y\n"
    )
    assert _imports_inside_functions(ast.parse(source)) == [(7, "ready"), (10, "inner")]

"""`pip install .` installs every package, template and static file (CI installs it for real)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PROJECT["tool"]["setuptools"]


def test_every_package_of_the_apps_and_the_project_is_listed() -> None:
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("claims", "sources", "claimtracker")
        for init in (ROOT / top).rglob("__init__.py")
    }
    # templates/ and static/ are installed as claimtracker.templates and claimtracker.static.
    found |= {
        ".".join(["claimtracker", *folder.relative_to(ROOT).parts])
        for top in ("templates", "static")
        for folder in [ROOT / top, *(ROOT / top).rglob("*")]
        if folder.is_dir() and folder.name != "__pycache__"
    }
    listed = set(SETUPTOOLS["packages"])
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert listed - found == set(), "these are listed but no longer exist"


def test_every_kind_of_template_and_static_file_is_package_data() -> None:
    assert SETUPTOOLS["package-dir"] == {
        "claimtracker.templates": "templates",
        "claimtracker.static": "static",
    }
    for top in ("templates", "static"):
        kinds = {path.suffix for path in (ROOT / top).rglob("*") if path.is_file()}
        patterns = SETUPTOOLS["package-data"][f"claimtracker.{top}"]
        assert kinds <= {pattern.removeprefix("**/*") for pattern in patterns}, top


def test_dependencies_are_the_pinned_runtime_requirements() -> None:
    assert PROJECT["tool"]["setuptools"]["dynamic"]["dependencies"] == {
        "file": ["requirements.txt"]
    }
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    requirements = [line.split("#")[0].strip() for line in lines]
    # setuptools reads names and pins only: no -r, -c, -e or index options.
    assert all("==" in line for line in requirements if line)


def test_licence_and_python_versions_are_declared() -> None:
    assert PROJECT["project"]["license"] == "Apache-2.0"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").split()[:4] == [
        "Apache",
        "License",
        "Version",
        "2.0,",
    ]
    assert PROJECT["project"]["requires-python"] == ">=3.11,<3.14"

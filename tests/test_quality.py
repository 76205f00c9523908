"""The code base stays lint-clean and type-clean (ruff and mypy as configured
in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from .conftest import ROOT


def _tool(name: str) -> list[str]:
    if shutil.which(name) is None and not _module_available(name):
        pytest.skip(f"{name} is not installed (pip install '.[test]')")
    return [sys.executable, "-m", name]


def _module_available(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def test_ruff_check_is_clean() -> None:
    cmd = [*_tool("ruff"), "check", "ikelog", "tests", "benchmarks"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_is_clean() -> None:
    done = subprocess.run([*_tool("mypy")], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_package_is_installed() -> None:
    """pyproject.toml lists every package of ikelog (a missing one only
    shows once installed, outside the source tree)."""
    import tomllib

    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
            "packages"
        ]
    )
    found = {
        ".".join(p.relative_to(ROOT).parent.parts)
        for p in (ROOT / "ikelog").rglob("__init__.py")
    }
    assert found | {"ikelog.grammars"} == listed

"""The layers are enforced (docs/layout.md): the import-linter contract in
pyproject.toml fails on an upward import, and scripts/check_layout.py finds
imports inside functions, long modules and import circles.

The contract is run for real (`lint-imports` with the repository's own
configuration) over a copy of the package with one upward import injected,
so these tests do not depend on what else the contract reports today."""

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _load_checks():
    spec = importlib.util.spec_from_file_location("check_layout", ROOT / "scripts/check_layout.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["check_layout"] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


checks = _load_checks()


def _copy_package(dest: Path) -> Path:
    shutil.copytree(
        ROOT / "gaizao",
        dest / "gaizao",
        ignore=shutil.ignore_patterns("static", "templates", "locale", "__pycache__", "*.mo"),
    )
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")
    return dest


def _lint(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def upward(tmp_path_factory):
    """lint-imports over a copy where core imports site, and over a clean copy."""
    clean = _copy_package(tmp_path_factory.mktemp("clean"))
    bad = _copy_package(tmp_path_factory.mktemp("bad"))
    target = bad / "gaizao/core/sorting.py"
    target.write_text(
        target.read_text(encoding="utf-8") + "\nfrom gaizao.site import selectors  # noqa\n",
        encoding="utf-8",
    )
    return _lint(clean), _lint(bad)


def test_layers_contract_fails_on_an_upward_import(upward):
    clean, bad = upward
    assert bad.returncode != 0, bad.stdout
    assert "gaizao.core is not allowed to import gaizao.site" in bad.stdout
    assert "gaizao.core.sorting -> gaizao.site.selectors" in bad.stdout
    # The control: without the injected line, core imports nothing above it.
    assert "gaizao.core is not allowed to import" not in clean.stdout, clean.stdout
    assert "gaizao.core.sorting" not in clean.stdout


def test_layers_contract_names_every_app():
    """exhaustive = true: an app missing from the layer list breaks the contract."""
    import tomllib

    conf = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = conf["tool"]["importlinter"]["contracts"]
    assert contract["exhaustive"] is True
    layers = [name.strip("()") for row in contract["layers"] for name in row.split(" : ")]
    order = "core regions accounts inventory catalogue stewardship consultation eligibility"
    order += " plans programme works feedback disclosure site"
    assert [x for x in reversed(layers) if x in order.split()] == order.split()
    apps = {p.name for p in (ROOT / "gaizao").iterdir() if (p / "apps.py").exists()}
    assert apps <= set(layers)


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_function_import_check(tmp_path):
    body = (
        "def f():\n    from gaizao.core import audit\n    from . import models\n    import json\n"
    )
    _write(tmp_path, "gaizao/inventory/services.py", body)
    _write(tmp_path, "gaizao/inventory/demo.py", body)
    _write(tmp_path, "gaizao/inventory/tests/test_x.py", body)
    _write(tmp_path, "gaizao/inventory/migrations/0002_x.py", body)
    _write(
        tmp_path,
        "gaizao/inventory/apps.py",
        "class C:\n    def ready(self):\n        from .permissions import x\n"
        "    def other(self):\n        from .permissions import y\n",
    )
    found = {(f.path, f.line) for f in checks.function_imports(tmp_path)}
    assert found == {
        ("gaizao/inventory/services.py", 2),
        ("gaizao/inventory/services.py", 3),
        ("gaizao/inventory/apps.py", 5),
    }


def test_long_module_check(tmp_path):
    _write(tmp_path, "gaizao/inventory/views.py", "x = 1\n" * 501)
    _write(tmp_path, "gaizao/inventory/selectors.py", "x = 1\n" * 500)
    _write(tmp_path, "gaizao/catalogue/catalogue_data.py", "x = 1\n" * 900)
    found = [f.path for f in checks.long_modules(tmp_path)]
    assert found == ["gaizao/inventory/views.py"]


def test_import_cycle_check(tmp_path):
    _write(tmp_path, "gaizao/__init__.py", "")
    _write(tmp_path, "gaizao/a.py", "from gaizao import b\n")
    _write(tmp_path, "gaizao/b.py", "def f():\n    from gaizao import c\n")
    _write(tmp_path, "gaizao/c.py", "import gaizao.a\n")
    _write(tmp_path, "gaizao/d.py", "from gaizao import a\n")
    (cycle,) = checks.import_cycles(tmp_path)
    assert "gaizao.a ⇄ gaizao.b ⇄ gaizao.c" in cycle.what
    _write(tmp_path, "gaizao/c.py", "")
    assert checks.import_cycles(tmp_path) == []


def test_repository_has_no_layout_findings():
    assert checks.function_imports(ROOT) == []
    assert checks.long_modules(ROOT) == []
    assert checks.import_cycles(ROOT) == []

"""The layers of docs/architecture.md hold: each package imports only from the layers below it.

    preceptorship (core)  <-  progression  <-  programmes  <-  programmes.reporting

``bench`` (the development tools) may import anything and nothing imports it. The root URLconf
(``preceptorship/urls.py``) puts every app's URLs together, so it is the one module of the core
that names the apps. Tests and migrations are left out: they are not the product's code.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# A package, and the packages its modules must never import.
FORBIDDEN = {
    "preceptorship": ("progression", "programmes", "bench"),
    "progression": ("programmes", "bench"),
    "programmes": ("programmes.reporting", "bench"),
    "programmes/reporting": ("bench",),
}
ALLOWED = {"preceptorship/urls.py"}


def _modules(package: str) -> list[Path]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative in ALLOWED or "/tests/" in relative or "/migrations/" in relative:
            continue
        if package == "programmes" and relative.startswith("programmes/reporting/"):
            continue  # the layer above, checked on its own
        found.append(path)
    return found


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_module_imports_a_layer_above_its_own(package: str) -> None:
    modules = _modules(package)
    assert modules, f"no modules found under {package}"
    breaches = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules
        for name in sorted(_imported(path))
        if any(name == above or name.startswith(f"{above}.") for above in FORBIDDEN[package])
    ]
    assert breaches == []


def test_the_check_finds_an_import_from_above(tmp_path: Path) -> None:
    module = tmp_path / "breach.py"
    module.write_text("from programmes.reporting import measures\nimport bench.scale\n")
    assert {"programmes.reporting", "programmes.reporting.measures", "bench.scale"} <= _imported(module)

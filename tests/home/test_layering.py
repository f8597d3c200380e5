"""The home app sits on top: it reads the others and none reads it."""

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
APPS = [
    "accounts",
    "curriculum",
    "reviews",
    "assessments",
    "pathways",
    "credentials",
    "analytics",
    "integrations",
]


def _imports_of(path: pathlib.Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
    return found


def test_no_app_imports_home():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            assert "home" not in _imports_of(path), path.relative_to(ROOT)

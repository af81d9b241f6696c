"""The layout's rules that import-linter cannot see."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _uow_connections(package: str) -> list[str]:
    """`<...>uow.connection` / `<...>uow.session` uses in a package, as file:line."""
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Attribute) or node.attr not in {"connection", "session"}:
                continue
            owner = node.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if name == "uow":
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_only_storage_touches_the_unit_of_works_connection() -> None:
    assert _uow_connections("bot") == []
    assert _uow_connections("scheduler") == []
    assert _uow_connections("dialogs") == []


def test_the_check_finds_the_uses_the_tests_make() -> None:
    """Tests may reach the connection (to look at rows); the check must see them."""
    assert "tests/storage/test_personal_data.py:20" in _uow_connections("tests")

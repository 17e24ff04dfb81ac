"""The layout holds: services own their transactions, views never open one (docs STYLE.md).

The blueprints' modules are read as source (``ast``), so the rule holds for code no test happens
to run: none of them may use ``portal.db.write_transaction`` or commit or begin a transaction on a
session itself. A view calls a service; the service opens the one write transaction.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PORTAL = Path(__file__).resolve().parent.parent / "portal"
BLUEPRINTS = ("staff", "public", "tips")
TRANSACTION_METHODS = frozenset({"commit", "begin", "begin_nested"})


def transaction_uses(source: str) -> list[str]:
    """Where ``source`` opens or ends a transaction itself: ``line: what``."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom | ast.Import):
            found += [f"{node.lineno}: imports {alias.name}" for alias in node.names
                      if alias.name.rsplit(".", 1)[-1] == "write_transaction"]
        elif isinstance(node, ast.Name) and node.id == "write_transaction":
            found.append(f"{node.lineno}: write_transaction")
        elif isinstance(node, ast.Attribute) and node.attr == "write_transaction":
            found.append(f"{node.lineno}: .write_transaction")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in TRANSACTION_METHODS):
            found.append(f"{node.lineno}: .{node.func.attr}()")
    return found


def _blueprint_modules() -> list[Path]:
    return sorted(path for name in BLUEPRINTS for path in (PORTAL / name).rglob("*.py"))


def test_the_blueprints_are_all_read() -> None:
    names = {path.relative_to(PORTAL).as_posix() for path in _blueprint_modules()}
    assert {"staff/content_views.py", "staff/review_views.py", "staff/export_views.py",
            "staff/signin_views.py", "staff/account_views.py",
            "public/views.py", "tips/views.py"} <= names


@pytest.mark.parametrize("source", [
    "from portal.db import get_session, write_transaction\n",
    "import portal.db\nwith portal.db.write_transaction(s):\n    pass\n",
    "def view():\n    get_session().commit()\n",
    "def view(session):\n    with session.begin():\n        pass\n",
    "def view(session):\n    session.begin_nested()\n",
])
def test_the_check_finds_a_transaction_opened_in_a_view(source: str) -> None:
    assert transaction_uses(source)


@pytest.mark.parametrize("path", _blueprint_modules(), ids=lambda path: path.relative_to(PORTAL).as_posix())
def test_no_blueprint_module_opens_or_commits_a_transaction(path: Path) -> None:
    uses = transaction_uses(path.read_text(encoding="utf-8"))
    assert not uses, (f"{path.relative_to(PORTAL)} opens or commits a transaction itself ({', '.join(uses)}): "
                      "move it into the service the view calls (services own their transactions)")

"""Who may import whom (README "Architecture"), checked on the source.

The two environments stay honest only while the code running inside the Rasa server (`bot/`,
`connectors/`) reaches the knowledge base, the answer layer and the app over HTTP, never by import; the
data layer knows no dialogue, channel or web framework; the answer layer knows no Rasa. Read from the
syntax tree (every `import`, at module level or inside a function, except under `if TYPE_CHECKING:`), so
the check needs neither environment's packages and runs in a fraction of a second.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("actions", "answers", "app", "bot", "connectors", "knowledge_base", "vntext", "bench", "scripts")
WEB_FRAMEWORKS = ("fastapi", "starlette", "jinja2", "sanic", "uvicorn")

#: package -> what it must never import (our packages and third-party roots alike).
FORBIDDEN: dict[str, tuple[str, ...]] = {
    # Inside the Rasa server: reach the rest over HTTP.
    # (SQLAlchemy is allowed: the tracker store in bot/stores.py uses Rasa's own 1.4.)
    "bot": ("knowledge_base", "actions", "answers", "app", "connectors", "rasa_sdk"),
    "connectors": ("knowledge_base", "actions", "answers", "app", "bot", "rasa_sdk", "sqlalchemy"),
    # The data layer: no dialogue, no channel, no web framework.
    "knowledge_base": ("app", "actions", "answers", "bot", "connectors", "rasa", "rasa_sdk", *WEB_FRAMEWORKS),
    # Replies from data, testable without Rasa.
    "answers": ("app", "actions", "bot", "connectors", "rasa", "rasa_sdk", *WEB_FRAMEWORKS),
    # Thin rasa-sdk adapters over the answer layer.
    "actions": ("app", "bot", "connectors", "rasa", *WEB_FRAMEWORKS),
    # The FastAPI app talks to Rasa over HTTP.
    "app": ("actions", "bot", "connectors", "rasa", "rasa_sdk", "sanic"),
    # Text helpers shared by both environments.
    "vntext": ("knowledge_base", "actions", "answers", "app", "bot", "connectors", "rasa", "rasa_sdk"),
}


def _python_files(package: str) -> Iterator[Path]:
    folder = ROOT / package
    if folder.is_dir():
        yield from sorted(p for p in folder.rglob("*.py") if "migrations/versions" not in p.as_posix())


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


@cache
def imports_of(path: Path) -> tuple[tuple[str, int], ...]:
    """Every module `path` imports (absolute dotted names, `from x import y` as x.y too), with lines."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                found.extend((alias.name, child.lineno) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (child.level - 1)] if child.level > 1 else anchor
                    base = ".".join([*anchor, base] if base else anchor)
                found.append((base, child.lineno))
                found.extend((f"{base}.{alias.name}", child.lineno) for alias in child.names)
            visit(child)

    visit(tree)
    return tuple(found)


def _forbidden_imports(package: str) -> list[str]:
    banned = FORBIDDEN[package]
    problems = []
    for path in _python_files(package):
        for name, line in imports_of(path):
            root = name.split(".")[0]
            if root in banned:
                problems.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    return sorted(set(problems))


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_packages_import_only_what_their_layer_allows(package: str) -> None:
    assert _forbidden_imports(package) == []


def _project_modules() -> dict[str, Path]:
    return {_module_name(p): p for package in PACKAGES for p in _python_files(package)}


def _graph() -> dict[str, set[str]]:
    modules = _project_modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for imported, _ in imports_of(path):
            # `from pkg import name` names a module when pkg.name is one; otherwise the package.
            target = imported
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                graph[name].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycles() -> None:
    # A package's __init__ re-exporting its own modules is not a cycle worth breaking: count only
    # cycles between modules that are not a package and its own submodule.
    cycles = [c for c in _cycles(_graph()) if not all(m.startswith(c[0] + ".") or m == c[0] for m in c)]
    assert cycles == []


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_no_action_runs_another_action() -> None:
    """Routing goes through FollowupAction (visible in the tracker), never `OtherAction().run(...)`."""
    pattern = re.compile(r"\bAction\w*\([^)]*\)\s*\.\s*run\s*\(")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _python_files("actions")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_the_checker_sees_a_forbidden_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "x.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import app\n"
        "def f():\n    from knowledge_base.db import session_scope\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert _forbidden_imports("bot") == [
        "bot/x.py:5 imports knowledge_base.db",
        "bot/x.py:5 imports knowledge_base.db.session_scope",
    ]

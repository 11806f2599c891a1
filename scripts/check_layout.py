"""Layout checks that import-linter's layers contract does not cover
(docs/layout.md), run by .ci/run under "== layers check":

1. imports of gaizao modules inside functions only in demo code: such an
   import hides an arrow from the reader and usually dodges a cycle. Allowed
   in demo modules (`demo.py`, `demo_*.py`), in AppConfig.ready() (Django
   needs the app registry before a permissions module can import models),
   in migrations (frozen history, run with historical models) and in tests;
2. no module over 500 lines except the data modules listed in DATA_MODULES;
3. no import circle between files (modules), counting every import, inside
   functions too (grimp's graph), tests left out.

    .venv/bin/python scripts/check_layout.py [ROOT]   # ROOT: the repository

Exit status 1 and one line per finding when anything is wrong.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

MAX_LINES = 500
# Modules that are data, not logic: long by nature, read as tables.
DATA_MODULES = {
    "gaizao/catalogue/catalogue_data.py",  # the built-in item catalogue (改造内容清单)
}


@dataclass(frozen=True)
class Finding:
    path: str  # relative to ROOT, with forward slashes
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def _modules(root: Path):
    for p in sorted((root / "gaizao").rglob("*.py")):
        rel = p.relative_to(root).as_posix()
        yield p, rel


def _is_test(rel: str) -> bool:
    parts = rel.split("/")
    return "tests" in parts or parts[-1].startswith("test_") or parts[-1] == "conftest.py"


def _is_demo(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return name == "demo.py" or name.startswith("demo_")


def _is_migration(rel: str) -> bool:
    return "/migrations/" in rel


def _imports_gaizao(node: ast.AST) -> bool:
    if isinstance(node, ast.Import):
        return any(a.name == "gaizao" or a.name.startswith("gaizao.") for a in node.names)
    if isinstance(node, ast.ImportFrom):
        mod = node.module or ""
        return node.level > 0 or mod == "gaizao" or mod.startswith("gaizao.")
    return False


def function_imports(root: Path) -> list[Finding]:
    """Imports of gaizao modules (absolute or relative) inside a function,
    outside the allowed places."""
    out = []
    for path, rel in _modules(root):
        if _is_test(rel) or _is_demo(rel) or _is_migration(rel):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if rel.endswith("/apps.py") and fn.name == "ready":
                continue
            for node in ast.walk(fn):
                if _imports_gaizao(node):
                    target = "." * getattr(node, "level", 0) + (
                        getattr(node, "module", None) or ", ".join(a.name for a in node.names)
                    )
                    out.append(Finding(rel, node.lineno, f"import of {target} inside {fn.name}()"))
    return out


def long_modules(root: Path) -> list[Finding]:
    out = []
    for path, rel in _modules(root):
        if rel in DATA_MODULES or _is_migration(rel):
            continue
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_LINES:
            out.append(Finding(rel, n, f"{n} lines (over {MAX_LINES}; split it into a package)"))
    return out


def import_cycles(root: Path) -> list[Finding]:
    """Strongly connected groups of modules in the import graph (tests left out)."""
    edges = _edges(root)
    mods = sorted(edges)
    out = []
    for group in _strongly_connected(mods, edges):
        if len(group) > 1:
            rel = group[0].replace(".", "/") + ".py"
            out.append(Finding(rel, 0, "import circle: " + " ⇄ ".join(group)))
    return out


def _edges(root: Path) -> dict[str, list[str]]:
    """module → modules it imports, from grimp, in a fresh interpreter whose
    path starts at `root` (so the gaizao found is the one under `root`, not
    one already imported)."""
    proc = subprocess.run(
        [sys.executable, __file__, "--edges", str(root)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout)


def _dump_edges() -> None:
    import grimp

    graph = grimp.build_graph("gaizao", cache_dir=None)
    keep = {m for m in graph.modules if ".tests" not in m and not m.endswith(".conftest")}
    edges = {
        m: sorted(t for t in graph.find_modules_directly_imported_by(m) if t in keep)
        for m in sorted(keep)
    }
    json.dump(edges, sys.stdout)


def _strongly_connected(nodes, edges):
    """Tarjan's algorithm, iterative (the graph has hundreds of modules)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups = []
    counter = 0
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(edges[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(edges[w])))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    group = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        group.append(w)
                        if w == v:
                            break
                    groups.append(sorted(group))
    return groups


def main(argv: list[str]) -> int:
    if argv[:1] == ["--edges"]:
        _dump_edges()
        return 0
    root = Path(argv[0] if argv else Path(__file__).resolve().parent.parent)
    findings = function_imports(root) + long_modules(root) + import_cycles(root)
    for f in findings:
        print(f)
    if findings:
        print(f"{len(findings)} layout finding(s); see docs/layout.md", file=sys.stderr)
        return 1
    print("layout checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

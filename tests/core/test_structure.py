"""The shape of the codebase: no import cycles, small modules, explicit features, ruff clean.

The import graph is built with `ast` from every import of app/, forms/ and surveys/, those
inside functions included (an import moved into a function still ties two modules).
"""
import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "forms", "surveys")
LIMIT = 400  # lines per module


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _sources(*folders: str):
    for folder in folders:
        yield from sorted((ROOT / folder).rglob("*.py"))


MODULES = {_module_name(p): p for p in _sources(*PACKAGES)}


def _imported(path: Path) -> set[str]:
    """The project modules a file imports (a `from package import module` names the module)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module in MODULES:
                found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in MODULES)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in MODULES)
    return found


def _cycle(graph: dict[str, set[str]]):
    """A cycle of the graph as a list of modules, or None (iterative depth-first search)."""
    state: dict[str, int] = {}
    for start in graph:
        if state.get(start):
            continue
        stack = [(start, iter(sorted(graph[start])))]
        trail = [start]
        state[start] = 1
        while stack:
            node, edges = stack[-1]
            nxt = next(edges, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
                trail.pop()
            elif state.get(nxt) == 1:
                return trail[trail.index(nxt):] + [nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                trail.append(nxt)
                stack.append((nxt, iter(sorted(graph.get(nxt, ())))))
    return None


def test_no_import_cycle_among_app_forms_and_surveys():
    # A package's __init__ is not an edge of its own submodules' imports of siblings.
    graph = {name: {m for m in _imported(path) if m != name and not name.startswith(m + ".")}
             for name, path in MODULES.items()}
    assert _cycle(graph) is None, f"import cycle: {' -> '.join(_cycle(graph))}"


def test_no_module_over_400_lines():
    big = {str(p.relative_to(ROOT)): n for p in _sources(*PACKAGES, "tests", "bench")
           if (n := len(p.read_text(encoding="utf-8").splitlines())) > LIMIT}
    assert big == {}


def test_no_import_below_the_top_and_no_registration_on_import():
    offenders = []
    for path in _sources(*PACKAGES, "tests", "bench"):
        text = path.read_text(encoding="utf-8")
        if any(mark in text for mark in ("noqa: " + "E402", "except " + "ImportError")):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_create_app_installs_its_features_from_one_literal_list():
    from app import create_app

    tree = ast.parse((ROOT / "app" / "__init__.py").read_text(encoding="utf-8"))
    factory = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "create_app")
    loops = [n for n in ast.walk(factory) if isinstance(n, ast.For) and isinstance(n.iter, (ast.Tuple, ast.List))]
    assert len(loops) == 1, "create_app installs the features of one literal list"
    listed = [ast.unparse(e) for e in loops[0].iter.elts]
    assert listed and all(e.endswith(".feature") for e in listed)
    app = create_app("testing")
    assert app.extensions["sapat"].features == [e.removesuffix(".feature") for e in listed]


def test_ruff_finds_nothing():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is in requirements.txt"
    result = subprocess.run([ruff, "check", "--no-cache", str(ROOT)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr

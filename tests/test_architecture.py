"""The shape of the code, checked: layers, module sizes, imports and where I/O happens.

Layers, lowest first (a module imports only from its own layer or below, at module level):

0. cross-cutting authorities: ``errors``, ``timeline``, ``units``, ``keypaths``,
   ``streams``, ``version``, ``data``
1. ``scenario`` (the schema)       2. ``model`` (pure step functions and the state)
3. ``engine`` (compile, the monthly loop, events)
4. ``results`` and ``analysis``    5. ``charts`` and ``report``
6. ``io`` (files)                  7. ``api`` and ``cli``

Only ``io``, ``cli`` and ``api`` read files, the environment or the clock (``data`` reads
the package's own data files).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "circdebt"

LAYERS = {
    "errors": 0, "text": 0, "timeline": 0, "units": 0, "keypaths": 0, "streams": 0,
    "version": 0,
    "data": 0, "scenario": 1, "model": 2, "engine": 3, "results": 4, "analysis": 4,
    "charts": 5, "report": 5, "io": 6, "api": 7, "cli": 7, "__init__": 7, "__main__": 7,
}
#: Methods that read or write files.
FILE_METHODS = {"read_text", "write_text", "read_bytes", "write_bytes", "unlink", "mkdir",
                "touch", "iterdir"}
#: Module attributes that read the environment or the clock, or change files.
MODULE_CALLS = {("os", "environ"), ("os", "getenv"), ("os", "replace"), ("os", "remove"),
                ("datetime", "now"), ("dt.datetime", "now"), ("datetime.datetime", "now"),
                ("time", "time"), ("Path", "cwd")}
#: Modules whose use is I/O.
IO_MODULES = {"subprocess", "tempfile", "shutil", "socket", "urllib", "requests"}
IO_ALLOWED = {"io", "cli", "api", "__main__"}
MAX_LINES = 500


def _modules() -> dict[str, Path]:
    return {".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts): p
            for p in PACKAGE.rglob("*.py")}


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _module_level_imports(tree: ast.Module) -> list[ast.ImportFrom | ast.Import]:
    """Imports run when the module loads (not inside functions or TYPE_CHECKING)."""
    found: list[ast.ImportFrom | ast.Import] = []
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for sub in ast.walk(node) if not isinstance(node, ast.FunctionDef | ast.ClassDef) \
                else []:
            if isinstance(sub, ast.Import | ast.ImportFrom):
                found.append(sub)
    return found


def _targets(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    base = node.module or ""
    return [f"{base}.{a.name}" for a in node.names] + [base]


def _internal(name: str, modules: dict[str, Path]) -> str | None:
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


MODULES = _modules()
TREES = {m: ast.parse(p.read_text("utf-8")) for m, p in MODULES.items()}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_longer_than_500_lines(module):
    lines = MODULES[module].read_text("utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module} has {lines} lines"


def test_imports_go_down_the_layers():
    wrong = []
    for module, tree in TREES.items():
        mine = LAYERS[_top(module)]
        for node in _module_level_imports(tree):
            for target in _targets(node):
                if not target.startswith("circdebt"):
                    continue
                internal = _internal(target, MODULES)
                if internal is None:
                    continue
                theirs = LAYERS[_top(internal)]
                if theirs > mine:
                    wrong.append(f"{module} (layer {mine}) imports {internal} (layer {theirs})")
    assert not wrong, "\n".join(sorted(set(wrong)))


def test_the_module_import_graph_has_no_cycle():
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module, tree in TREES.items():
        for node in _module_level_imports(tree):
            for target in _targets(node):
                internal = _internal(target, MODULES) if target.startswith("circdebt") else None
                if internal and internal != module and not module.startswith(internal + "."):
                    graph[module].add(internal)
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for n in graph[m]:
            if state.get(n) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*path, m, n]))
            if n not in state:
                visit(n, [*path, m])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [])


def test_no_private_name_is_imported_from_another_module():
    private = []
    for module, tree in TREES.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("circdebt"):
                private += [f"{module}: {node.module}.{a.name}" for a in node.names
                            if a.name.startswith("_") and not a.name.startswith("__")]
    assert not private, "\n".join(private)


def _io_uses(tree: ast.Module) -> list[str]:
    """What in a module reads or writes the outside world: files, the environment, the
    clock, other processes."""
    uses = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id == "open":
            uses.append("open()")
        elif isinstance(node, ast.Attribute):
            owner = ast.unparse(node.value)
            if node.attr in FILE_METHODS:
                uses.append(f".{node.attr}()")
            elif (owner, node.attr) in MODULE_CALLS:
                uses.append(f"{owner}.{node.attr}")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) \
                else [node.module or ""]
            uses += [f"import {n}" for n in names if n.split(".")[0] in IO_MODULES]
    return uses


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _top(m) not in IO_ALLOWED))
def test_no_io_below_the_io_layer(module):
    if module == "circdebt.data.__init__":
        pytest.skip("the package's own data files are read here, and only here")
    assert not _io_uses(TREES[module]), f"{module} uses {_io_uses(TREES[module])}"


def test_importing_circdebt_and_asking_for_help_loads_no_pandas():
    code = ("import sys, circdebt, circdebt.cli.app; "
            "print('pandas' in sys.modules, 'matplotlib' in sys.modules, "
            "'scipy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env={**os.environ, "CI": "true"})
    assert done.stdout.split() == ["False", "False", "False"]
    help_run = subprocess.run([sys.executable, "-m", "circdebt", "--help"],
                              capture_output=True, text=True, check=False,
                              env={**os.environ, "CI": "true"})
    assert help_run.returncode == 0 and "Commands" in help_run.stdout


def test_every_section_the_code_cites_exists_in_docs_model_md():
    """The code cites docs/model.md, the repository's one specification; each "§n" it
    names is a heading there (no citation points at a section users do not have)."""
    import re
    spec = (PACKAGE.parents[1] / "docs" / "model.md").read_text("utf-8")
    headings = set(re.findall(r"^#+ §(\d+)\b", spec, flags=re.MULTILINE))
    cited: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text("utf-8")
        assert "MODEL.md" not in text, f"{path.name} cites a file users do not have"
        for group in re.findall(r"docs/model\.md((?:[ ,]*§\d+(?:-§?\d+)?)+)", text):
            for number in re.findall(r"\d+", group):
                cited.setdefault(number, set()).add(path.name)
    assert len(cited) >= 15
    missing = {n: sorted(files) for n, files in cited.items() if n not in headings}
    assert not missing, f"sections cited but absent from docs/model.md: {missing}"

"""The layout rules of docs/decisions.md ("Layout"), checked on the source so they stay true.

- No import circle in journal/: a module never needs, directly or through others, a module
  that needs it. (A package's __init__ registering its own submodules — blueprints, routes
  — is not counted: that is how a Flask app attaches views.)
- journal/web never imports journal/api: both load through journal/schemas.
- Views do not read request.form by hand: every form loads through a schema.
- Only journal/casework.py raises sparring requests and writes meetings or expectations.
"""
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "journal"


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def all_modules():
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports_of(name, path, modules):
    """Modules of journal/ that *name* imports anywhere in its file (functions included)."""
    is_package = path.name == "__init__.py"
    base = name.split(".") if is_package else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                parent = ".".join(anchor + ([node.module] if node.module else []))
            else:
                parent = node.module or ""
            targets = [f"{parent}.{alias.name}" if f"{parent}.{alias.name}" in modules else parent for alias in node.names]
        else:
            continue
        for target in targets:
            if target in modules and target != name:
                if is_package and target.startswith(name + "."):
                    continue  # a package attaching its own submodules
                found.add(target)
    return found


def graph():
    modules = all_modules()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def cycles(edges):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_cycles_finds_a_planted_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_in_journal():
    assert cycles(graph()) == []


def test_web_never_imports_the_api():
    edges = graph()
    crossing = {name: sorted(t for t in targets if t.startswith("journal.api")) for name, targets in edges.items() if name.startswith("journal.web")}
    assert {name: t for name, t in crossing.items() if t} == {}


def test_web_views_read_no_form_field_by_hand():
    pattern = re.compile(r"request\.form(\.get|\.getlist)?[\[(]|int\(request\.")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (PACKAGE / "web").glob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_only_casework_writes_meetings_expectations_and_raises_prompts():
    writers = []
    for name, path in all_modules().items():
        text = path.read_text()
        if re.search(r"raise_prompts\(|meetings\.insert\(|expectations\.insert\(", text) and name not in (
            "journal.casework", "journal.demo", "journal.sparring.requests", "journal.meetings", "journal.expectations"
        ):
            writers.append(name)
    assert writers == []
    assert "sparring" not in " ".join(sorted(graph()["journal.expectations"] | graph()["journal.meetings"]))


def test_views_hold_no_sql():
    pattern = re.compile(r"\b(db|database)\.(query|execute|table)\(|\bSELECT\b|\bINSERT\b|\bUPDATE\b")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("web", "api")
        for path in (PACKAGE / folder).glob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []

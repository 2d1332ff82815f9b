"""The README's configuration table names every environment variable the project reads, and nothing else
(issue 16, part 8): the Python code (read through therapy_notes/env.py's readers or os.environ), the shell
scripts, docker-compose.yml's interpolations and .env.example.

The Python reads are found in the syntax tree, not by a text search: a variable whose name is not a string
literal, a module constant or a loop over a tuple of them cannot be checked, and fails this test until it is.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTHON_DIRS = ("therapy_notes", "sessions", "workers", "summarizer", "training", "bench", "scripts", "tests")
ENV_READERS = {"env_str", "env_bool", "env_int", "env_float", "env_list", "env_choice"}
# The readers themselves (each reads the variable it is given): checked where they are called.
READER_MODULE = REPO / "therapy_notes" / "env.py"
# Set by the shell or the toolchain, not by this project's operators.
STANDARD_VARIABLES = {"HOME", "PATH", "PWD", "USER", "HOSTNAME", "TMPDIR", "SHELL", "CFLAGS", "CXXFLAGS"}
NAME = r"[A-Z][A-Z0-9_]*"


def documented() -> set[str]:
    """The variables in the first column of the README's table under '## Configuration'."""
    text = (REPO / "README.md").read_text()
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(rf"`({NAME})`", row.split("|")[1])}


def _constants(tree: ast.Module) -> dict[str, list[str]]:
    """Module-level NAME = "literal" and NAME = ("literal", ...)."""
    found: dict[str, list[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = node.value
            items = value.elts if isinstance(value, (ast.Tuple, ast.List)) else [value]
            if all(isinstance(item, ast.Constant) and isinstance(item.value, str) for item in items):
                found[node.targets[0].id] = [item.value for item in items]  # type: ignore[attr-defined]
    return found


def _is_environ(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ")


def _read_names(tree: ast.Module) -> Iterator[ast.expr]:
    """The name expression of every environment read in the module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            if (isinstance(func, ast.Name) and func.id in ENV_READERS) or (
                isinstance(func, ast.Attribute) and func.attr in ENV_READERS):
                yield node.args[0]
            elif isinstance(func, ast.Attribute) and func.attr == "get" and _is_environ(func.value):
                yield node.args[0]
            elif isinstance(func, ast.Attribute) and func.attr == "getenv":
                yield node.args[0]
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and _is_environ(node.value):
            yield node.slice
        elif isinstance(node, ast.Compare) and any(isinstance(op, ast.In) for op in node.ops) and any(
                _is_environ(c) for c in node.comparators):
            yield node.left


def python_reads() -> tuple[set[str], list[str]]:
    """(the variables read, the reads whose name could not be resolved as 'file:line')."""
    trees = {path: ast.parse(path.read_text(), str(path))
             for d in PYTHON_DIRS for path in (REPO / d).rglob("*.py") if path != READER_MODULE}
    trees[REPO / "manage.py"] = ast.parse((REPO / "manage.py").read_text())
    constants: dict[str, list[str]] = {}
    for tree in trees.values():  # a constant may be imported from another module (MODELS_DIR_VARIABLE)
        constants.update(_constants(tree))
    names: set[str] = set()
    unresolved: list[str] = []
    for path, tree in trees.items():
        loops = {node.target.id: node.iter for node in ast.walk(tree)
                 if isinstance(node, ast.For) and isinstance(node.target, ast.Name)}
        for expr in _read_names(tree):
            if isinstance(expr, ast.Name) and expr.id in loops:
                expr = loops[expr.id]  # `for name in MODEL_PATH_VARIABLES: ... os.environ[name]`
            if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
                names.add(expr.value)
            elif isinstance(expr, ast.Name) and expr.id in constants:
                names.update(constants[expr.id])
            else:
                unresolved.append(f"{path.relative_to(REPO)}:{expr.lineno}")
    return names, unresolved


def shell_reads(text: str) -> set[str]:
    """Upper-case variables a script uses but does not set itself (NAME=${NAME:-default} reads NAME)."""
    used = set(re.findall(rf"(?<!\$)\$\{{?({NAME})", text))
    assigned = set(re.findall(rf"(?:^|[\s;(])(?:export\s+|local\s+|readonly\s+)?({NAME})=(?!\$\{{\1[:}}-])",
                              text, re.MULTILINE))
    return used - assigned - STANDARD_VARIABLES


def configuration_reads() -> set[str]:
    names, _ = python_reads()
    for script in (REPO / "scripts").glob("*.sh"):
        names |= shell_reads(script.read_text())
    # docker compose interpolates ${NAME...} from .env or the shell ($${...} is the container's shell).
    names |= set(re.findall(rf"(?<!\$)\$\{{({NAME})", (REPO / "docker-compose.yml").read_text()))
    names |= set(re.findall(rf"^#?\s*({NAME})=", (REPO / ".env.example").read_text(), re.MULTILINE))
    return names


def test_every_python_environment_read_names_its_variable_plainly() -> None:
    names, unresolved = python_reads()
    assert unresolved == []
    # The readers are found at all: a few variables known to be read in different ways.
    assert {"DATABASE_URL", "THERAPY_NOTES_MODELS_DIR", "PHI3_MODEL_PATH", "THERAPY_NOTES_LORA_PATH",
            "THERAPY_NOTES_LOG_FORMAT", "THERAPY_NOTES_CACHE"} <= names


def test_the_shell_scripts_reads_are_found() -> None:
    assert shell_reads('PORT=${DEMO_PORT:-8000}\nX=${X:-1}\nexport Y=2\necho "$Y $HOME ${Z:-}"') == {
        "DEMO_PORT", "X", "Z"}
    names = configuration_reads()
    assert {"THERAPY_NOTES_DEMO_PORT", "TEST_DATABASE_URL", "PYTHON", "FLOWER_BASIC_AUTH",
            "WORKER_CONCURRENCY", "POSTGRES_PASSWORD"} <= names
    assert "WEB_PID" not in names  # set by run_demo.sh itself


def test_every_environment_variable_read_is_in_the_readmes_table() -> None:
    missing = configuration_reads() - documented()
    assert missing == set(), f"add these to README.md's Configuration table: {sorted(missing)}"


def test_the_readmes_table_lists_only_variables_something_reads() -> None:
    stale = documented() - configuration_reads()
    assert stale == set(), f"README.md documents variables nothing reads: {sorted(stale)}"

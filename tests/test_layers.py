"""The core's folders import only from the folders listed above them in ``plivo_api/__init__``:
a module that reaches up would make the lower folder depend on everything above it."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent / "plivo_api"
LAYERS = (
    "errors",
    "text",
    "params",
    "transport",
    "messaging",
    "resources",
    "webhooks",
    "inbound",
    "trigger",
    "toolkit",
    "voice",
    "features",
)


def _imported_tops(path: Path) -> set[str]:
    package = ["plivo_api", *path.relative_to(CORE).parts[:-1]]
    tops: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            target = package[: len(package) - (node.level - 1)]
            target += node.module.split(".") if node.module else []
        elif node.module and node.module.split(".")[0] == "plivo_api":
            target = node.module.split(".")
        else:
            continue
        tops |= {alias.name for alias in node.names} if len(target) < 2 else {target[1]}
    return tops


def test_the_layer_list_names_every_folder_and_root_module() -> None:
    present = {p.stem for p in CORE.glob("*.py") if p.stem != "__init__"}
    present |= {p.name for p in CORE.iterdir() if (p / "__init__.py").exists()}
    assert present == set(LAYERS)
    documented = (CORE / "__init__.py").read_text(encoding="utf-8")
    positions = [documented.index(f"``{name}") for name in LAYERS]
    assert positions == sorted(positions), "plivo_api/__init__ lists the layers in this order"


def test_no_module_imports_from_a_layer_above_its_own() -> None:
    rank = {name: index for index, name in enumerate(LAYERS)}
    upward = sorted(
        f"{path.relative_to(CORE)} imports {top}"
        for path in CORE.rglob("*.py")
        if path.name != "__init__.py" or path.parent != CORE
        for top in _imported_tops(path)
        if top in rank and rank[top] > rank[path.relative_to(CORE).parts[0].removesuffix(".py")]
    )
    assert upward == []

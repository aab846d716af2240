"""The package's layers, read from every module's imports (those inside functions too).

model is the records every stage shares and imports nothing of pdscan; ruleset loads the
rules and imports only model; detect classifies with the rules and imports only model and
ruleset; formats render a finished report and read no source and no command line. A change
that imports upward fails here, naming the module, the line and the import.
"""

from __future__ import annotations

import ast
from pathlib import Path

from support.paths import REPO

PACKAGE = REPO / "pdscan"

# slice -> the slices of pdscan it may import (None: any but those in FORBIDDEN)
ALLOWED: dict[str, set[str]] = {
    "model": set(),
    "ruleset": {"model"},
    "detect": {"model", "ruleset"},
}
FORBIDDEN: dict[str, set[str]] = {
    "formats": {"sources", "cli"},
}


def slice_of(module: str) -> str:
    """`pdscan.detect.names` -> `detect`; `pdscan.model` -> `model`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def imports(path: Path) -> list[tuple[int, str]]:
    """Each pdscan module the file imports, with its line, wherever the import statement is."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's own package
                package = path.relative_to(PACKAGE.parent).with_suffix("").parts[: -node.level]
                found.append((node.lineno, ".".join([*package, *filter(None, [node.module])])))
            elif node.module:
                found.append((node.lineno, node.module))
                if node.module == "pdscan":  # `from pdscan import policy`
                    found += [(node.lineno, f"pdscan.{alias.name}") for alias in node.names]
    return [(line, name) for line, name in found if name == "pdscan" or name.startswith("pdscan.")]


def upward_imports() -> list[str]:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        own = slice_of(module)
        for line, name in imports(path):
            target = slice_of(name)
            if target == own:
                continue
            allowed = ALLOWED.get(own)
            if (allowed is not None and target not in allowed) or target in FORBIDDEN.get(own, set()):
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {own} imports {name}")
    return wrong


def test_every_module_imports_only_its_own_layer_or_lower() -> None:
    wrong = upward_imports()
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_the_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "late.py"
    module.write_text("def f():\n    from pdscan.sources.discovery import discover\n")
    assert imports(module) == [(2, "pdscan.sources.discovery")]

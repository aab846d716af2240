"""Load user-written YAML (policies, data maps) keeping where every value was written.

Errors in those files must name file:line:column, so values are built from the composed node
graph, remembering each node's position. Duplicate keys are errors (PyYAML silently keeps the
last one), and alias expansion is capped, so a "billion laughs" file fails fast instead of
eating memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MAX_NODES = 200_000


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a user's file, printed as `path:line:column: message`."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


class YamlError(Exception):
    def __init__(self, problems: tuple[Problem, ...]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Mark:
    line: int
    column: int


class Marked:
    """The plain value of a YAML document plus where each container, key and item was written.

    Positions are looked up through the containing dict or list (scalars share identities,
    containers do not), so every problem can point at the exact key or item.
    """

    def __init__(
        self,
        path: str,
        value: Any,
        marks: dict[int, Mark],
        entry_marks: dict[tuple[int, Any, bool], Mark],
    ) -> None:
        self.path = path
        self.value = value
        self._marks = marks
        self._entry_marks = entry_marks

    def problem(self, container: Any, message: str, entry: Any = None, on_key: bool = False) -> Problem:
        """A problem at `container`, or at its entry (dict key or list index) when given."""
        mark = None
        if entry is not None:
            mark = self._entry_marks.get((id(container), entry, on_key))
        if mark is None:
            mark = self._marks.get(id(container), Mark(1, 1))
        return Problem(self.path, mark.line, mark.column, message)


def load_marked(path: Path) -> Marked:
    """Parse `path`; syntax errors, duplicate keys and alias bombs become YamlError."""
    display = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise YamlError((Problem(display, 1, 1, f"cannot read the file: {error}"),)) from None
    return load_marked_text(text, display)


def load_marked_text(text: str, display: str) -> Marked:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = f"not valid YAML: {error.problem or error}"
        raise YamlError((Problem(display, line, column, message),)) from None
    except yaml.YAMLError as error:
        raise YamlError((Problem(display, 1, 1, f"not valid YAML: {error}"),)) from None
    builder = _Builder(display)
    value = builder.build(node) if node is not None else None
    if builder.problems:
        raise YamlError(tuple(builder.problems))
    return Marked(display, value, builder.marks, builder.entry_marks)


class _Builder:
    def __init__(self, display: str) -> None:
        self.display = display
        self.marks: dict[int, Mark] = {}
        self.entry_marks: dict[tuple[int, Any, bool], Mark] = {}
        self.problems: list[Problem] = []
        self.visited = 0
        self._constructor = yaml.SafeLoader("")  # only for scalar construction
        self._keepalive: list[Any] = []  # containers must outlive the id() lookups

    def build(self, node: yaml.Node) -> Any:
        self.visited += 1
        if self.visited > MAX_NODES:
            raise YamlError(
                (
                    self._problem(
                        node,
                        f"too many values (over {MAX_NODES}): an alias bomb or a file far larger than a policy",
                    ),
                )
            )
        if isinstance(node, yaml.MappingNode):
            mapping: dict[Any, Any] = {}
            self._remember(mapping, node)
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self.problems.append(self._problem(key_node, "merge keys (<<) are not supported"))
                    continue
                key = self.build(key_node)
                if not isinstance(key, (str, int, float, bool)) and key is not None:
                    self.problems.append(self._problem(key_node, "a key must be a plain value"))
                    continue
                if key in mapping:
                    self.problems.append(self._problem(key_node, f"duplicate key '{key}'"))
                    continue
                mapping[key] = self.build(value_node)
                self.entry_marks[(id(mapping), key, True)] = self._mark(key_node)
                self.entry_marks[(id(mapping), key, False)] = self._mark(value_node)
            return mapping
        if isinstance(node, yaml.SequenceNode):
            sequence: list[Any] = []
            self._remember(sequence, node)
            for index, item in enumerate(node.value):
                sequence.append(self.build(item))
                self.entry_marks[(id(sequence), index, False)] = self._mark(item)
            return sequence
        return self._constructor.construct_object(node, deep=True)

    def _remember(self, container: Any, node: yaml.Node) -> None:
        self._keepalive.append(container)
        self.marks[id(container)] = self._mark(node)

    @staticmethod
    def _mark(node: yaml.Node) -> Mark:
        return Mark(node.start_mark.line + 1, node.start_mark.column + 1)

    def _problem(self, node: yaml.Node, message: str) -> Problem:
        mark = self._mark(node)
        return Problem(self.display, mark.line, mark.column, message)

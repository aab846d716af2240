"""Load user-written YAML (policies, data maps, rules) keeping where every value was written.

Errors in those files must name file:line:column, so plain values are built from the node graph
PyYAML's SafeLoader composes, remembering each node's position. Duplicate keys are errors
(PyYAML silently keeps the last one). Aliases are expanded, but only so far: a "billion laughs"
file, an alias inside its own anchor, or absurd nesting is an error, not a hang or a traceback.
Aliases are bounded rather than refused because honest files use them (one anchored list of
purposes given to many columns); a bound on the values built costs those files nothing and
stops a bomb after a fixed amount of work, wherever it hides.

The files themselves are read by `read_user_bytes`: a device named by mistake is refused
rather than read forever, and a pipe is read to its end but never beyond MAX_USER_FILE.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import yaml

MAX_ALIAS_EXPANSION = 100_000  # values built again through aliases; real files need a few hundred
MAX_DEPTH = 200  # nesting of mappings and lists; real files need under ten
MAX_USER_FILE = 64 << 20  # bytes of a policy, data map, rules or baseline file; real ones are far smaller
PLAIN_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a user's file, printed as `path:line:column: message`."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


class ProblemsError(Exception):
    """Every problem found in a user's file, each with its position: reported all at once."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class YamlError(ProblemsError):
    """The file is not YAML this loader accepts."""


@dataclass(frozen=True)
class Mark:
    line: int  # 1-based
    column: int  # 1-based


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
        keepalive: list[Any],
    ) -> None:
        self.path = path
        self.value = value
        self._marks = marks
        self._entry_marks = entry_marks
        self._keepalive = keepalive  # the ids in the lookups stay valid while this object lives

    def mark(self, container: Any, entry: Any = None, on_key: bool = False) -> Mark:
        """Where `container` (or its entry: a dict key's value, the key itself, a list index) was written."""
        if entry is not None:
            found = self._entry_marks.get((id(container), entry, on_key))
            if found is not None:
                return found
        return self._marks.get(id(container), Mark(1, 1))

    def problem(self, container: Any, message: str, entry: Any = None, on_key: bool = False) -> Problem:
        """A problem at `container`, or at its entry (dict key or list index) when given."""
        mark = self.mark(container, entry, on_key)
        return Problem(self.path, mark.line, mark.column, message)


def load_marked(path: Path) -> Marked:
    """Parse the file at `path` (shown as given); unreadable or invalid files raise YamlError."""
    display = str(path)
    try:
        text = read_user_bytes(path).decode("utf-8")
    except OSError as error:
        raise YamlError((Problem(display, 1, 1, f"cannot read the file: {error.strerror or error}"),)) from None
    except UnicodeDecodeError:
        raise YamlError((Problem(display, 1, 1, "not UTF-8 text: save the file as UTF-8"),)) from None
    return load_marked_text(text, display)


def read_user_bytes(path: Path) -> bytes:
    """The bytes of a file a user hands pdscan to configure it (policy, data map, rules, baseline).

    Opened without blocking, so a FIFO no one writes to reads as empty instead of hanging; a
    device (`/dev/zero`, a terminal) is refused rather than read forever; a pipe (`--policy
    <(…)`) is read to its end. Raises OSError whose strerror says why.
    """
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        mode = os.fstat(descriptor).st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
            raise OSError(errno.EINVAL, f"not a regular file ({'directory' if stat.S_ISDIR(mode) else 'device'})")
        os.set_blocking(descriptor, True)  # a pipe's writer may still be writing
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            data = handle.read(MAX_USER_FILE + 1)
    finally:
        os.close(descriptor)
    if len(data) > MAX_USER_FILE:
        raise OSError(errno.EFBIG, f"larger than {MAX_USER_FILE >> 20} MiB, which no such file needs")
    return data


# libyaml's composer where PyYAML was built with it (marks included, ten times faster).
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_marked_text(text: str, display: str) -> Marked:
    """Parse `text`, naming it `display` in problems."""
    try:
        node = yaml.compose(text, Loader=_COMPOSER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlError((Problem(display, line, column, f"not valid YAML: {error.problem or error}"),)) from None
    except yaml.YAMLError as error:
        raise YamlError((Problem(display, 1, 1, f"not valid YAML: {error}"),)) from None
    except RecursionError:
        raise YamlError((Problem(display, 1, 1, "not valid YAML here: nested too deeply"),)) from None
    builder = _Builder(display)
    value = builder.build(node, 0) if node is not None else None
    if builder.problems:
        raise YamlError(tuple(builder.problems))
    return Marked(display, value, builder.marks, builder.entry_marks, builder.keepalive)


class _Builder:
    """Turns composed nodes into dicts, lists and scalars, recording marks and problems."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.marks: dict[int, Mark] = {}
        self.entry_marks: dict[tuple[int, Any, bool], Mark] = {}
        self.problems: list[Problem] = []
        self.keepalive: list[Any] = []
        self._built: set[int] = set()  # nodes built once; building one again is alias expansion
        self._open: set[int] = set()  # nodes being built right now, to catch an alias inside its anchor
        self._expanded = 0
        self._scalars = yaml.SafeLoader("")  # its constructor turns scalar nodes into Python values

    def build(self, node: yaml.Node, depth: int) -> Any:
        if id(node) in self._open:
            raise self._fatal(node, "an alias refers to the value that contains it")
        if depth > MAX_DEPTH:
            raise self._fatal(node, f"nested more than {MAX_DEPTH} levels deep")
        if id(node) in self._built:
            self._expanded += 1
            if self._expanded > MAX_ALIAS_EXPANSION:
                raise self._fatal(
                    node,
                    f"aliases expand to more than {MAX_ALIAS_EXPANSION} values (an alias bomb?): "
                    "write the values out or use fewer nested aliases",
                )
        self._built.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if node.tag not in PLAIN_COLLECTION_TAGS:
            self.problems.append(self._problem(node, f"the tag '{node.tag}' is not supported here"))
        self._open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, depth)
            return self._sequence(cast(yaml.SequenceNode, node), depth)  # PyYAML's last node kind
        finally:
            self._open.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, depth: int) -> dict[Any, Any]:
        mapping: dict[Any, Any] = {}
        self._remember(mapping, node)
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problems.append(self._problem(key_node, "merge keys (<<) are not supported: write the keys out"))
                continue
            key = self.build(key_node, depth + 1)
            if isinstance(key, dict | list):
                self.problems.append(self._problem(key_node, "a key must be a plain value, not a mapping or a list"))
                continue
            if key in mapping:
                first = self.entry_marks[(id(mapping), key, True)]
                self.problems.append(
                    self._problem(key_node, f"duplicate key '{key}' (first written at line {first.line})")
                )
                continue
            mapping[key] = self.build(value_node, depth + 1)
            self.entry_marks[(id(mapping), key, True)] = _mark(key_node)
            self.entry_marks[(id(mapping), key, False)] = _mark(value_node)
        return mapping

    def _sequence(self, node: yaml.SequenceNode, depth: int) -> list[Any]:
        sequence: list[Any] = []
        self._remember(sequence, node)
        for index, item in enumerate(node.value):
            sequence.append(self.build(item, depth + 1))
            self.entry_marks[(id(sequence), index, False)] = _mark(item)
        return sequence

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        try:
            return self._scalars.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError) as error:
            reason = getattr(error, "problem", None) or str(error)
            self.problems.append(self._problem(node, f"cannot read this value: {reason}"))
            return None

    def _remember(self, container: Any, node: yaml.Node) -> None:
        self.keepalive.append(container)
        self.marks[id(container)] = _mark(node)

    def _problem(self, node: yaml.Node, message: str) -> Problem:
        mark = _mark(node)
        return Problem(self.display, mark.line, mark.column, message)

    def _fatal(self, node: yaml.Node, message: str) -> YamlError:
        return YamlError((*self.problems, self._problem(node, message)))


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)

"""Python schema files (Django, SQLAlchemy, Alembic) read as syntax trees, never imported.

A scanned project's code is untrusted: importing a `models.py` runs whatever it holds. These
helpers only parse (`ast`) and tokenize, and read literals where the schema is written as
literals; anything computed at run time is not guessed.
"""

from __future__ import annotations

import ast
import io
import tokenize


class PythonSyntaxError(Exception):
    """A Python file that does not parse: line and the parser's reason."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


def parse_python(text: str) -> ast.Module:
    try:
        return ast.parse(text)
    except SyntaxError as error:
        raise PythonSyntaxError(error.lineno or 1, f"Python syntax error: {error.msg}") from None
    except (ValueError, RecursionError, MemoryError) as error:
        raise PythonSyntaxError(1, f"Python file cannot be parsed: {error}") from None


def comments_by_line(text: str) -> dict[int, str]:
    """Each line's `# …` comment text (without `#`); {} where the text does not tokenize."""
    comments: dict[int, str] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                comments[token.start[0]] = token.string[1:].strip()
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return comments
    return comments


def dotted_name(node: ast.AST) -> str:
    """`models.EmailField` -> "models.EmailField"; "" for anything that is not a plain name."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = dotted_name(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    return ""


def last_name(node: ast.AST) -> str:
    """The last part of a called name: `sa.Column` -> "Column"."""
    return dotted_name(node).rsplit(".", 1)[-1]


def string(node: ast.AST | None) -> str | None:
    """A string literal's value (implicitly joined parts included), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((item.value for item in call.keywords if item.arg == name), None)


def is_true(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def comment_of(call: ast.Call, comments: dict[int, str]) -> tuple[str | None, str | None]:
    """(comment, annotation) of a column written as a call: its `comment=`/`db_comment=`/
    `help_text=` text, and the `# …` comment on one of its lines."""
    texts = [string(keyword(call, name)) for name in ("db_comment", "comment", "help_text")]
    comment = " ".join(text for text in texts if text) or None
    last = getattr(call, "end_lineno", None) or call.lineno
    annotation = next((comments[line] for line in range(call.lineno, last + 1) if line in comments), None)
    return comment, annotation


def assignment(statement: ast.stmt) -> tuple[str | None, ast.expr | None]:
    """(name, value) of `name = value` or `name: T = value` in a class or module body."""
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
        return statement.targets[0].id, statement.value
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return statement.target.id, statement.value
    return None, None

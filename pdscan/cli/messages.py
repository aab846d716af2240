"""What pdscan tells people on stderr, and how a command ends on an error: one line (with
--debug, a traceback with passwords scrubbed) and its exit code, never a stray traceback."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from pdscan.baseline import BaselineError
from pdscan.cli.git_changes import GitChangesError
from pdscan.declarations import DeclarationError
from pdscan.detect.engine import EngineUnavailable
from pdscan.detect.explain import ExplainError
from pdscan.ruleset.checker import PolicyError
from pdscan.sources.database.target import command_line_secrets, masked
from pdscan.sources.discovery import UnknownSourceError
from pdscan.sources.logs.execution.interface import ExecutionError
from pdscan.tracebacks import one_line, traceback_text
from pdscan.visible import visible

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a writer whose reader closed
ARGUMENTS_KEY = "pdscan.arguments"  # click context meta: the command line as given


class Messages:
    """People-facing lines on stderr, silenced by --quiet except errors and warnings that the
    output itself is sensitive."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

    def info(self, text: str) -> None:
        if not self.quiet:
            click.echo(f"pdscan: {visible(text)}", err=True)

    def error(self, text: str) -> None:
        click.echo(f"pdscan: error: {visible(text)}", err=True)

    def warning(self, text: str) -> None:
        click.echo(f"pdscan: warning: {visible(text)}", err=True)


class CommandGroup(click.Group):
    """pdscan's commands: an exception nothing expected is a bug, reported as one line and exit 2
    (not a traceback and exit 1, which would read as "findings"); with --debug, its traceback.
    Tracebacks and that line never show a password (see pdscan.tracebacks)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[ARGUMENTS_KEY] = tuple(args)  # the passwords in them are scrubbed from tracebacks
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, BrokenPipeError):
            raise  # click's own ends, and a reader gone away: click handles them
        except Exception as error:
            secrets = secrets_given(ctx)
            if ctx.params.get("debug"):
                click.echo(visible(traceback_text(error, secrets)), err=True, nl=False)
                advice = "the traceback is above"
            else:
                advice = "run with --debug for the traceback"
            line = visible(one_line(error, secrets))
            click.echo(f"pdscan: internal error: {line}; {advice}; please report it", err=True)
            sys.exit(EXIT_ERROR)


@contextlib.contextmanager
def bad_input(messages: Messages) -> Iterator[None]:
    """A policy, data map, source, baseline or revision pdscan cannot use: its lines, exit 2."""
    try:
        yield
    except (PolicyError, DeclarationError) as error:
        debug_traceback(error)
        for problem in error.problems:
            messages.error(str(problem))
        sys.exit(EXIT_ERROR)
    except (
        UnknownSourceError,
        EngineUnavailable,
        BaselineError,
        GitChangesError,
        ExecutionError,
        ExplainError,
    ) as error:
        debug_traceback(error)
        messages.error(masked(str(error)))  # a mistyped database URL is echoed as a path
        sys.exit(EXIT_ERROR)


@contextlib.contextmanager
def writing(what: str, output_path: Path | None, messages: Messages) -> Iterator[None]:
    """Writing a report: a reader gone away (`| head`) stops quietly, as command-line tools do;
    an unwritable output is one line and exit 2."""
    try:
        yield
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_BROKEN_PIPE)
    except OSError as error:
        debug_traceback(error)
        messages.error(f"cannot write the {what} to {output_path or 'stdout'}: {error.strerror or error}")
        sys.exit(EXIT_ERROR)


def debug_traceback(error: BaseException) -> None:
    """With --debug, an input error's traceback before its message (made safe as any other)."""
    context = click.get_current_context(silent=True)
    if context is not None and context.find_root().params.get("debug"):
        click.echo(visible(traceback_text(error, secrets_given(context))), err=True, nl=False)


def secrets_given(context: click.Context) -> tuple[str, ...]:
    """The passwords this run was given (database URLs, PGPASSWORD, MYSQL_PWD)."""
    return command_line_secrets(context.find_root().meta.get(ARGUMENTS_KEY, ()), os.environ)

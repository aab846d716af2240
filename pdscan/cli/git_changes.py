"""--changed-since REF: which files differ from a git revision, and the report cut down to them.

The whole migration history is still replayed (a column added in 003 to a table created in
001 needs 001), only the findings listed are those whose place was last defined in a file that
differs from REF: added or changed since, committed or not, and new files git does not track
yet. A column's place is the file:line the replay ends on, so a column renamed in 003 counts
as 003's. A log's place is the log itself, which its rotated copies share (`access.log.1`,
`access.log.2.gz` are `access.log`'s): it counts as changed when any of its copies changed.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from pdscan.detect.readable import shown_path
from pdscan.model import ChangedSince, Location, Report, SourceKind
from pdscan.sources.discovery import log_identity

GIT_TIMEOUT = 60  # seconds; git answers these in milliseconds, a hang is a broken repository


class GitChangesError(Exception):
    """git cannot say what changed (not a repository, an unknown revision): exit 2."""


@dataclass(frozen=True)
class GitChanges:
    """The files that differ from a revision, and the repository they are relative to."""

    root: Path
    since: ChangedSince

    def holds(self, location: Location) -> bool:
        """Whether a finding's defining file (for a log: any copy of it) is one of the changed files."""
        source = location.source
        if "://" in source or source.startswith("<"):
            return False  # a live database, remote storage or standard input: never a changed file
        if location.kind is SourceKind.LOG:
            return Path(source).resolve() in self._changed_logs
        return Path(source).resolve() in self._resolved

    @cached_property
    def _resolved(self) -> frozenset[Path]:
        return frozenset((self.root / name).resolve() for name in self.since.files)

    @cached_property
    def _changed_logs(self) -> frozenset[Path]:
        """The logs a changed file is a copy of: `logs/access.log.1` -> `logs/access.log`."""
        return frozenset(Path(log_identity(path.as_posix())) for path in self._resolved)


def changed_since(ref: str, cwd: Path) -> GitChanges:
    """The files that differ from `ref` in the repository holding `cwd`."""
    if shutil.which("git") is None:
        raise GitChangesError("--changed-since needs git, which is not installed (or not on PATH)")
    root = _git(["rev-parse", "--show-toplevel"], cwd, f"--changed-since {ref}: {cwd} is not inside a git repository")
    _git(
        ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"],
        cwd,
        f"--changed-since {ref}: git does not know this revision "
        "(in CI, fetch enough history: `fetch-depth: 0`, `GIT_DEPTH: 0`)",
    )
    differing = _git(["diff", "--name-only", "--no-renames", "-z", ref, "--"], cwd, f"git diff {ref} failed")
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], Path(root), "git ls-files failed")
    files = {shown_path(name) for name in (differing + untracked).split("\0") if name}  # as findings name them
    return GitChanges(Path(root), ChangedSince(ref, tuple(sorted(files))))


def only_changed(report: Report, changes: GitChanges) -> Report:
    """The report with only the findings whose defining file is among the changed files."""
    kept = tuple(verdict for verdict in report.verdicts if changes.holds(verdict.finding.location))
    return replace(report, verdicts=kept, changed_since=changes.since)


def _git(arguments: list[str], cwd: Path, failure: str) -> str:
    try:
        done = subprocess.run(
            ["git", *arguments],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise GitChangesError(f"{failure}: {error}") from None
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()
        raise GitChangesError(f"{failure}" + (f" ({detail[-1]})" if detail else ""))
    return done.stdout.rstrip("\n") if "-z" not in arguments else done.stdout

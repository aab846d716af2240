"""The compiled Hyperscan database kept between runs: used when it is sound, compiled again
when it is not, and never a reason for a scan to fail."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pdscan.detect.engine import Trigger
from pdscan.detect.engines.hyperscan_cache import CACHE_ENV

hyperscan_engine = pytest.importorskip("pdscan.detect.engines.hyperscan_engine")

TRIGGERS = [Trigger(r"\d{3}-\d{4}"), Trigger("secret", ignore_case=True)]
TEXT = b"call 555-0199 about the SECRET plan"
EXPECTED = [(0, 5, 13), (1, 24, 30)]


def scanned(triggers: list[Trigger] = TRIGGERS) -> list[tuple[int, int, int]]:
    return sorted(hyperscan_engine.compile(triggers).scan(TEXT))


def entries(directory: Path) -> list[Path]:
    return sorted(directory.glob("hyperscan-*.db"))


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(directory))
    return directory


def test_the_first_start_stores_the_database_and_the_next_loads_it_unchanged(cache: Path) -> None:
    assert scanned() == EXPECTED
    [entry] = entries(cache)
    stored = entry.stat()
    assert stored.st_mode & 0o777 == 0o600, "readable by its owner alone"
    assert cache.stat().st_mode & 0o777 == 0o700
    assert scanned() == EXPECTED
    again = entry.stat()
    assert (again.st_ino, again.st_mtime_ns) == (stored.st_ino, stored.st_mtime_ns), "loaded, not compiled and stored"


def test_other_triggers_make_another_entry(cache: Path) -> None:
    scanned()
    assert scanned([Trigger("plan")]) == [(0, 31, 35)]
    assert len(entries(cache)) == 2


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: data[:40] + bytes(len(data) - 40),  # the checksum no longer holds
        lambda data: data[:32] + b"not a database",
    ],
    ids=["empty", "truncated", "zeroed", "garbage"],
)
def test_a_damaged_entry_is_compiled_again_and_replaced(cache: Path, damage) -> None:
    scanned()
    [entry] = entries(cache)
    sound = entry.read_bytes()
    entry.write_bytes(damage(sound))
    assert scanned() == EXPECTED
    assert entry.read_bytes() == sound


def test_an_entry_someone_else_owns_is_not_loaded(cache: Path) -> None:
    """A shared cache directory: a file another user placed under the expected name is not
    trusted (here it holds a database of other triggers, which would find the wrong things)."""
    if os.geteuid() != 0:
        pytest.skip("giving a file to another user needs root (CI runs as root)")
    scanned([Trigger("plan")])
    [planted] = entries(cache)
    scanned()
    [own] = [entry for entry in entries(cache) if entry != planted]
    os.replace(planted, own)
    os.chown(own, 4321, 4321)
    assert scanned() == EXPECTED


@pytest.mark.parametrize("setting", ["off", ""])
def test_the_cache_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str) -> None:
    monkeypatch.setenv(CACHE_ENV, setting)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    assert scanned() == EXPECTED
    assert list(tmp_path.rglob("*")) == []


def test_a_cache_directory_that_cannot_be_made_is_no_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    assert scanned() == EXPECTED
    assert scanned() == EXPECTED


def test_without_a_setting_the_cache_lives_in_the_users_cache_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    scanned()
    assert len(entries(tmp_path / "xdg" / "pdscan")) == 1

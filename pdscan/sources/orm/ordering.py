"""Migrations that name their parents (Django `dependencies`, Alembic `down_revision`) replay
parents first, whatever their file names say."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TypeVar

Item = TypeVar("Item")


def parents_first(
    items: Sequence[Item], key: Callable[[Item], Hashable], parents: Callable[[Item], Iterable[Hashable]]
) -> list[Item]:
    """`items` with each one's parents before it (depth first); otherwise in the order given.
    A parent that is not among the items, or a cycle, is passed over."""
    by_key = {key(item): item for item in items}
    done: set[Hashable] = set()
    ordered: list[Item] = []

    def visit(item: Item, path: frozenset[Hashable]) -> None:
        own = key(item)
        if own in done or own in path:
            return
        for parent in parents(item):
            if parent in by_key:
                visit(by_key[parent], path | {own})
        done.add(own)
        ordered.append(item)

    for item in items:
        visit(item, frozenset())
    return ordered

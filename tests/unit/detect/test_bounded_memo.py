"""The per-process memos of a log scan stay within their size whatever the log holds."""

from __future__ import annotations

from pdscan.detect.bounded_memo import BoundedMemo


def test_a_memo_gives_back_what_it_remembered_and_none_for_the_rest() -> None:
    memo: BoundedMemo[str, tuple[int, ...]] = BoundedMemo(4)
    assert memo.remember("a", ()) == ()
    assert memo.get("a") == ()  # an empty verdict is a verdict, not a miss
    assert memo.get("b") is None
    assert len(memo) == 1 and list(memo) == ["a"]


def test_a_full_memo_starts_again_and_never_holds_more_than_its_size() -> None:
    memo: BoundedMemo[int, int] = BoundedMemo(3)
    sizes = []
    for number in range(10):
        memo.remember(number, number * 2)
        sizes.append(len(memo))
    assert sizes == [1, 2, 3, 1, 2, 3, 1, 2, 3, 1]
    assert list(memo) == [9] and memo.get(9) == 18
    assert memo.get(8) is None, "what was held before it started again is gone"

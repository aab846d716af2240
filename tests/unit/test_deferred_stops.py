"""A stop deferred while a block runs (the forks of the log pool, a report written) is raised
when it ends, in whichever thread the kernel delivered it; a worker forked meanwhile still ends
on its pool's SIGTERM. The race with the pool itself is tested in tests/unit/sources/logs/test_log_source.py."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest
from support.stop_between_forks import Receiver, stop_sender

from pdscan.interruption import Interrupted, in_worker, stop_signals_deferred, stop_signals_raise
from pdscan.output_files import ReportOutput


@pytest.mark.parametrize("receiver", ["process", "bystander"])
def test_a_stop_in_a_deferring_block_is_raised_when_the_block_ends(receiver: Receiver) -> None:
    """Sent to the process or to another thread that lets it through (which the mask does not
    hold), the stop waits all the same; an error in the block does not lose it."""
    reached_the_end = False
    with (
        pytest.raises(Interrupted) as stopped,
        stop_signals_raise(),
        stop_sender(signal.SIGTERM, receiver) as send,
        stop_signals_deferred(),
    ):
        send()
        reached_the_end = True
        raise RuntimeError("the block failed as well")
    assert reached_the_end
    assert stopped.value.signal_name == "SIGTERM"
    assert isinstance(stopped.value.__context__, RuntimeError)


def test_a_worker_sent_sigterm_before_it_set_its_handling_still_ends() -> None:
    """A worker is forked with the stop signals held, so that one sent before its initializer
    ran is neither lost to the handler it inherited (which defers) nor raised mid-start: once
    `in_worker` has let them through, its pool's SIGTERM ends it."""
    with stop_signals_raise(), stop_signals_deferred():
        pid = os.fork()
        if pid == 0:  # the worker: never returns into the test run
            try:
                os.kill(os.getpid(), signal.SIGTERM)  # its pool terminated it as it started
                in_worker()
            finally:
                os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == -signal.SIGTERM


@pytest.mark.parametrize("receiver", ["process", "bystander"])
def test_a_report_on_stdout_is_written_whole_before_a_stop_ends_the_run(
    receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    """The signals were held in this thread alone: a stop that reached another thread cut the
    report in the middle."""
    with stop_signals_raise(), stop_sender(signal.SIGTERM, receiver) as send:

        def pieces() -> Iterator[str]:
            yield "[first half, "
            send()
            yield "second half]"

        with pytest.raises(Interrupted), ReportOutput(None) as output:
            output.write_whole(pieces())
    assert capsys.readouterr().out == "[first half, second half]\n"

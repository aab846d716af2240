"""What runs inside the workers of a local Dask cluster started by pdscan (imported only with
`distributed` installed)."""

from __future__ import annotations

import signal
import threading

import distributed


class IgnoreInterrupts(distributed.WorkerPlugin):
    """A terminal's Ctrl-C reaches the whole process group: the workers of a local cluster
    ignore it, and pdscan, which received it too, closes the cluster (as `in_worker` does for
    the local pool). Registered with the cluster, so a restarted worker gets it as well."""

    def setup(self, worker: distributed.Worker) -> None:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)

"""Group commit: concurrent calls share one run, and each caller gets its own answer."""
from __future__ import annotations

import threading
import time

import pytest

from broadcaster.combine import Combiner


def _together(n, call):
    """Call ``call(i)`` from n threads started at the same moment; returns results or exceptions by i."""
    out = [None] * n
    start = threading.Barrier(n)

    def one(i):
        start.wait()
        try:
            out[i] = call(i)
        except Exception as exc:  # noqa: BLE001 - the test looks at which caller got what
            out[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_a_lone_call_runs_at_once_and_alone():
    runs = []
    combine = Combiner(lambda items: (runs.append(list(items)), [x * 2 for x in items])[1])
    assert combine(21) == 42 and runs == [[21]]


def test_calls_that_arrive_during_a_run_share_the_next_one():
    runs = []

    def run(items):
        runs.append(list(items))
        time.sleep(0.05)  # a transaction under way: the other callers queue meanwhile
        return [f"done {x}" for x in items]

    combine = Combiner(run)
    out = _together(12, combine)
    assert out == [f"done {i}" for i in range(12)]  # each caller got its own result
    assert sorted(x for r in runs for x in r) == list(range(12))  # every call ran exactly once
    assert len(runs) < 12  # and they were combined


def test_each_caller_gets_its_own_error_and_a_failed_run_fails_all_its_callers():
    def run(items):
        time.sleep(0.02)
        return [ValueError(f"bad {x}") if x % 2 else x for x in items]

    out = _together(8, Combiner(run))
    assert [type(r).__name__ if isinstance(r, Exception) else r for r in out] == \
        [0, "ValueError", 2, "ValueError", 4, "ValueError", 6, "ValueError"]
    assert str(out[3]) == "bad 3"

    def broken(items):
        raise RuntimeError("database is locked")

    assert all(isinstance(r, RuntimeError) and "locked" in str(r) for r in _together(5, Combiner(broken)))
    with pytest.raises(RuntimeError, match="2 results for 1"):
        Combiner(lambda items: [1, 2])(0)


def test_runs_are_capped():
    sizes = []

    def run(items):
        sizes.append(len(items))
        time.sleep(0.02)
        return list(items)

    assert _together(20, Combiner(run, max_batch=3)) == list(range(20))
    assert max(sizes) <= 3 and sum(sizes) == 20

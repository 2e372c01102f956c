"""Long calls release the GIL, and two threads can run two diffs (on one shared log) with
the same reports as one after the other."""
import os
import threading
import time

import asbuilt
from conftest import DATASETS

LOAN_LOG = os.path.join(DATASETS, "logs", "simod_LoanApp_simplified_without_approve_loan_offer.csv")
LOAN_MAP = os.path.join(DATASETS, "models", "simod_LoanApp_simplified.bpmn")


A32_LOG = os.path.join(DATASETS, "logs", "pm4py_09_a32f0n00.xes.gz")
A32_MAP = os.path.join(DATASETS, "models", "pm4py_a32f0n00.bpmn")
BIG_LOG = os.path.join(DATASETS, "logs", "bpic2020_DomesticDeclarations.xes.gz")


def stall(call):
    """Runs call on a thread while this one ticks: (the call's time alone, the longest
    stall between two ticks, ticks)."""
    t0 = time.perf_counter()
    call()
    alone = time.perf_counter() - t0
    done = threading.Event()

    def work():
        try:
            call()
        finally:
            done.set()

    th = threading.Thread(target=work)
    last = time.perf_counter()
    longest = 0.0
    ticks = 0
    th.start()
    while not done.is_set():
        now = time.perf_counter()
        longest = max(longest, now - last)
        last = now
        ticks += 1
        time.sleep(0.001)
    th.join()
    return alone, longest, ticks


def test_gil_is_released_during_long_calls():
    with asbuilt.read_log(A32_LOG) as log:
        calls = [lambda: asbuilt.diff(log, A32_MAP, threads=1).close(),
                 lambda: asbuilt.read_log(BIG_LOG).close()]
        for call in calls:
            alone, longest, ticks = stall(call)
            # Holding the GIL through the call would stop this loop for all of it.
            assert ticks > 10, (alone, ticks)
            assert longest < alone / 2, f"the main thread stalled {longest:.3f} s of {alone:.3f} s"


def test_two_threads_two_diffs():
    models = [(LOAN_LOG, LOAN_MAP),
              (os.path.join(DATASETS, "logs", "pm4py_running-example.xes"),
               os.path.join(DATASETS, "models", "pm4py_running-example.bpmn"))]
    with asbuilt.read_log(models[0][0]) as loan, asbuilt.read_log(models[1][0]) as re:
        logs = [loan, re]
        want = [dict(asbuilt.diff(lg, m, threads=1)) for lg, (_, m) in zip(logs, models)]
        got = [None] * 4
        errors = []

        def run(k):
            try:
                lg, m = logs[k % 2], models[k % 2][1]
                with asbuilt.diff(lg, m, threads=2) as gap:
                    got[k] = dict(gap)
            except Exception as e:  # Reported below, not lost in the thread.
                errors.append(e)

        threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert got[0] == want[0] and got[2] == want[0]
        assert got[1] == want[1] and got[3] == want[1]

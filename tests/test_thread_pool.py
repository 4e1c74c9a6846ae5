"""The thread pool (core/thread_pool.h) through a tracing hook: every task runs
exactly once on a valid thread; thread t starts with its own contiguous slice
of the tasks and takes over other slices only once its own is claimed; a
slow thread's slice is taken over; a failing task's error reaches the caller;
workers woken without a job (wake_workers, before an inference) still take
the next one."""

import numpy as np
import pytest

import edgecnn


def slices(threads, tasks):
    return [(tasks * t // threads, tasks * (t + 1) // threads) for t in range(threads)]


def check_trace(trace, threads, tasks, case):
    assert trace.shape == (tasks, 2)
    assert ((trace[:, 0] >= 0) & (trace[:, 0] < threads)).all(), f"{case}: thread index out of range"
    assert sorted(trace[:, 1]) == list(range(tasks)), f"{case}: a task ran twice or never"
    for t, (lo, hi) in enumerate(slices(threads, tasks)):
        mine = trace[:, 0] == t
        own = np.zeros(tasks, bool)
        own[lo:hi] = True
        # Thread t claims its slice front to back, and only then other slices.
        own_order = trace[mine & own, 1]
        assert (np.diff(own_order) > 0).all(), f"{case}: thread {t} ran its slice out of order"
        if (mine & ~own).any() and own_order.size:
            assert trace[mine & ~own, 1].min() > own_order.max(), f"{case}: thread {t} stole before its slice was done"


@pytest.mark.parametrize("threads", [1, 2, 3, 4])
@pytest.mark.parametrize("tasks", [0, 1, 2, 3, 7, 64, 1000])
def test_every_task_once_own_slice_first(threads, tasks):
    check_trace(edgecnn._core.thread_pool_trace(threads, tasks), threads, tasks, f"threads={threads} tasks={tasks}")


def test_slow_thread_slice_is_taken_over():
    # Thread 1 sleeps 5 ms per task: thread 0 finishes its 8 tasks at once
    # and takes over the rest of thread 1's slice.
    trace = edgecnn._core.thread_pool_trace(2, 16, slow_thread=1, slow_us=5000)
    assert sorted(trace[:, 1]) == list(range(16))
    assert (trace[:8, 0] == 0).all(), f"thread 1 took from thread 0's slice: {trace[:, 0]}"
    assert (trace[8:, 0] == 0).sum() >= 1, f"no task of the slow thread's slice was taken over: {trace[:, 0]}"


@pytest.mark.parametrize("threads", [1, 2, 4])
@pytest.mark.parametrize("wakes", [1, 3])
@pytest.mark.parametrize("idle_us", [0, 2000])
def test_woken_workers_still_take_the_job(threads, wakes, idle_us):
    # wake_workers() with no job (as before an inference): the workers wake,
    # poll, and with idle_us past their spin go back to sleep; the job that
    # follows still runs every task once, each thread claiming its own slice
    # first.
    trace = edgecnn._core.thread_pool_trace(threads, 64, idle_us=idle_us, wakes=wakes)
    check_trace(trace, threads, 64, f"threads={threads} wakes={wakes} idle_us={idle_us}")


@pytest.mark.parametrize("threads", [1, 2, 4])
def test_failing_task_reaches_the_caller(threads):
    with pytest.raises(ValueError, match="task 5 failed"):
        edgecnn._core.thread_pool_trace(threads, 40, throw_task=5)


@pytest.mark.parametrize("threads,tasks,extra", [(0, 4, {}), (257, 4, {}), (2, -1, {}), (2, 4, {"idle_us": -1}),
                                                 (2, 4, {"wakes": -1})])
def test_trace_hook_rejects_bad_arguments(threads, tasks, extra):
    with pytest.raises(ValueError, match="thread_pool_trace"):
        edgecnn._core.thread_pool_trace(threads, tasks, **extra)

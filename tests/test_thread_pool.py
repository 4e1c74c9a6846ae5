"""The thread pool (core/thread_pool.h) through a tracing hook: every task runs
exactly once on a valid thread; thread t starts with its own contiguous slice
of the tasks and takes over other slices only once its own is claimed; a
slow thread's slice is taken over; a failing task's error reaches the caller."""

import numpy as np
import pytest

import edgecnn


def slices(threads, tasks):
    return [(tasks * t // threads, tasks * (t + 1) // threads) for t in range(threads)]


@pytest.mark.parametrize("threads", [1, 2, 3, 4])
@pytest.mark.parametrize("tasks", [0, 1, 2, 3, 7, 64, 1000])
def test_every_task_once_own_slice_first(threads, tasks):
    trace = edgecnn._core.thread_pool_trace(threads, tasks)
    case = f"threads={threads} tasks={tasks}"
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


def test_slow_thread_slice_is_taken_over():
    # Thread 1 sleeps 5 ms per task: thread 0 finishes its 8 tasks at once
    # and takes over the rest of thread 1's slice.
    trace = edgecnn._core.thread_pool_trace(2, 16, slow_thread=1, slow_us=5000)
    assert sorted(trace[:, 1]) == list(range(16))
    assert (trace[:8, 0] == 0).all(), f"thread 1 took from thread 0's slice: {trace[:, 0]}"
    assert (trace[8:, 0] == 0).sum() >= 1, f"no task of the slow thread's slice was taken over: {trace[:, 0]}"


@pytest.mark.parametrize("threads", [1, 2, 4])
def test_failing_task_reaches_the_caller(threads):
    with pytest.raises(ValueError, match="task 5 failed"):
        edgecnn._core.thread_pool_trace(threads, 40, throw_task=5)


@pytest.mark.parametrize("threads,tasks", [(0, 4), (257, 4), (2, -1)])
def test_trace_hook_rejects_bad_arguments(threads, tasks):
    with pytest.raises(ValueError, match="thread_pool_trace"):
        edgecnn._core.thread_pool_trace(threads, tasks)

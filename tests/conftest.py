import os
import zlib

import numpy as np
import pytest

import edgecnn

ISAS = edgecnn._core.available_isas()


@pytest.fixture(params=ISAS)
def isa(request):
    """Every SIMD tier this machine has: the whole parity suite runs once per tier."""
    return request.param


@pytest.fixture
def rng(request):
    """A seeded generator; the seed is printed so a failing case can be replayed.

    The default seed is derived from the test id, so runs are repeatable;
    EDGECNN_TEST_SEED overrides it.
    """
    seed = int(os.environ.get("EDGECNN_TEST_SEED", zlib.crc32(request.node.nodeid.encode())))
    print(f"seed={seed} (EDGECNN_TEST_SEED={seed} replays it)")
    return np.random.default_rng(seed)

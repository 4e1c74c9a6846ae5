"""The activation kernels of every ISA tier against a float64 numpy reference,
over lengths at vector-width boundaries and inputs from tiny to saturating."""

import numpy as np
import pytest

import edgecnn

KINDS = {  # name: (kind index in kernels/activation_spec.h, alpha, beta, reference)
    "none": (0, 0.0, 0.0, lambda x, a, b: x),
    "relu": (1, 0.0, 0.0, lambda x, a, b: np.maximum(x, 0)),
    "clip": (2, -1.5, 6.0, lambda x, a, b: np.clip(x, a, b)),
    "sigmoid": (3, 0.0, 0.0, lambda x, a, b: 1 / (1 + np.exp(-x))),
    "silu": (4, 0.0, 0.0, lambda x, a, b: x / (1 + np.exp(-x))),
    "hardsigmoid": (5, 0.2, 0.5, lambda x, a, b: np.clip(a * x + b, 0, 1)),
    "hardswish": (6, 0.0, 0.0, lambda x, a, b: x * np.clip(x / 6 + 0.5, 0, 1)),
    "leakyrelu": (7, 0.1, 0.0, lambda x, a, b: np.where(x >= 0, x, a * x)),
    "tanh": (8, 0.0, 0.0, lambda x, a, b: np.tanh(x)),
    "exp": (9, 0.0, 0.0, lambda x, a, b: np.exp(x)),
}
# exp saturates above 88 (its contract: Softmax feeds it x - max <= 0)
INPUT_MAX = {"exp": 80.0}
LENGTHS = [1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 1000]


@pytest.mark.parametrize("name", sorted(KINDS))
def test_activation_kernel(isa, name, rng):
    kind, alpha, beta, ref = KINDS[name]
    kernel = edgecnn._core.f32_activation_kernel_name(isa)
    for n in LENGTHS:
        x = (rng.standard_normal(n) * rng.choice([0.01, 1.0, 10.0, 100.0])).astype(np.float32)
        x[: min(n, 4)] = np.array([0.0, -90.0, 90.0, 1e-30], np.float32)[: min(n, 4)]
        x = np.minimum(x, INPUT_MAX.get(name, np.inf)).astype(np.float32)
        got = edgecnn._core.kernel_f32_activation(isa, kind, alpha, beta, x)
        want = ref(x.astype(np.float64), alpha, beta)
        # relative 1e-6 (a polynomial exp) plus an absolute floor for values near 0
        err = np.abs(got - want) / (1e-6 + np.abs(want))
        worst = int(np.argmax(np.abs(got - want) - 1e-6 * np.abs(want)))
        assert np.all(np.abs(got - want) <= 1e-6 * np.abs(want) + 2e-7), (
            f"{kernel} {name} n={n}: x={x[worst]!r} got {got[worst]!r} want {want[worst]!r} (rel {err[worst]:.2g})")


def test_exp_kernel_saturates_above_88(isa):
    # Every tier clamps exp's input to 88, so a large input gives the same finite value, not inf.
    x = np.array([88.0, 100.0, 1e30, np.inf], np.float32)
    got = edgecnn._core.kernel_f32_activation(isa, KINDS["exp"][0], 0.0, 0.0, x)
    assert np.all(np.isfinite(got)), f"{isa}: exp({x}) = {got}"
    np.testing.assert_allclose(got, np.exp(np.float64(88.0)), rtol=1e-6, err_msg=f"{isa}")


@pytest.mark.parametrize("name", ["exp", "sigmoid", "silu", "tanh"])
def test_exp_based_kernels_propagate_nan(isa, name):
    x = np.full(19, np.nan, np.float32)  # a full vector and a masked tail on every tier
    got = edgecnn._core.kernel_f32_activation(isa, KINDS[name][0], 0.0, 0.0, x)
    assert np.all(np.isnan(got)), f"{isa} {name}: exp of NaN gave {got}"

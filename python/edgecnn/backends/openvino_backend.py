"""The OpenVINO backend: the network of the .ecnn file, built as an
openvino.Model op by op (openvino_ops) and compiled for an OpenVINO device."""

from __future__ import annotations

import os
import sys
import threading
from typing import List, Optional, Sequence

import numpy as np

from .. import _core
from .._errors import ModelFormatError
from ..ecnn_file import EcnnGraph, read_ecnn
from .base import Backend

INSTALL_HINT = "pip install 'edgecnn[openvino]' (or: pip install openvino)"
VIRTUAL_DEVICES = ("AUTO", "HETERO", "MULTI", "BATCH")

_core_lock = threading.Lock()
_ov_core = None


def _declining_telemetry_without_consent():
    """A context in which OpenVINO's telemetry reads "no consent file" as "declined".

    ``import openvino`` imports its model converter, which initializes
    openvino_telemetry without an opt-in dialog; with no consent file that
    counts as consent, and the import then sends a "general_import" event to
    Google Analytics from a background thread. An edge SDK does not phone home
    on its user's behalf, so while edgecnn imports openvino the missing file
    counts as "no". A user who opted in (``opt_in_out --opt_in``, file "1")
    keeps telemetry; the decision is made once per process, at the import.
    """
    import contextlib

    try:
        from openvino_telemetry.utils import opt_in_checker
    except Exception:  # not installed (openvino then uses its stub), or broken: nothing to guard
        return contextlib.nullcontext()

    checker = opt_in_checker.OptInChecker
    original = checker.__dict__.get("check")
    if original is None:
        return contextlib.nullcontext()
    result = opt_in_checker.ConsentCheckResult

    def check(self, *args, **kwargs):
        answer = original(self, *args, **kwargs)
        return result.DECLINED if answer == result.NO_FILE else answer

    @contextlib.contextmanager
    def patched():
        checker.check = check
        try:
            yield
        finally:
            checker.check = original

    return patched()


def import_openvino():
    """The openvino module (imported with telemetry declined unless the user
    opted in), or an ImportError saying how to install it."""
    try:
        if "openvino" in sys.modules:
            import openvino
        else:
            with _declining_telemetry_without_consent():
                import openvino
    except ImportError as e:
        raise ImportError(f"the OpenVINO backend needs the 'openvino' package, which is not installed. "
                          f"Install it with: {INSTALL_HINT}") from e
    return openvino


def openvino_core():
    """The process's openvino.Core (created on first use; OpenVINO's Core is thread-safe)."""
    global _ov_core
    with _core_lock:
        if _ov_core is None:
            _ov_core = import_openvino().Core()
        return _ov_core


def available_devices() -> List[str]:
    return list(openvino_core().available_devices)


def _base_device(device: str) -> str:
    return device.split(":", 1)[0].split(".", 1)[0].upper()


def _check_device(core, device: str) -> None:
    if not isinstance(device, str) or not device:
        raise ValueError(f"device must be an OpenVINO device name such as 'CPU', 'GPU', 'NPU' or 'AUTO', got {device!r}")
    base = _base_device(device)
    if base in VIRTUAL_DEVICES:
        return
    available = list(core.available_devices)
    if device.upper() not in (d.upper() for d in available) and base not in (_base_device(d) for d in available):
        raise ValueError(f"OpenVINO device {device!r} is not available on this machine (available: {available})")


def compile_config(device: str, num_threads: Optional[int], cache_dir) -> dict:
    """The compile_model properties: latency-oriented, float32 on the CPU (the
    CPU plugin would otherwise pick bf16 where the CPU has it), thread count,
    model cache."""
    cpu = {"INFERENCE_PRECISION_HINT": "f32"}
    if num_threads:
        cpu["INFERENCE_NUM_THREADS"] = int(num_threads)
    config: dict = {"PERFORMANCE_HINT": "LATENCY"}
    base = _base_device(device)
    if base == "CPU":
        config.update(cpu)
    elif base in VIRTUAL_DEVICES and ("CPU" in device.upper() or base == "AUTO"):
        config["DEVICE_PROPERTIES"] = {"CPU": cpu}
    if cache_dir is not None:
        config["CACHE_DIR"] = os.fspath(cache_dir)
    return config


class OpenVinoBackend(Backend):
    name = "openvino"

    def __init__(self, data: bytes, *, device: str = "CPU", num_threads: Optional[int] = None, verify: bool = True,
                 cache_dir=None, graph: Optional[EcnnGraph] = None):
        from .openvino_ops import build_model

        import_openvino()
        if graph is None:
            graph = read_ecnn(data, verify=verify)
        self.device = device
        self.metadata = graph.metadata
        core = openvino_core()
        _check_device(core, device)
        built = build_model(graph)
        self.inputs, self.outputs, self._nodes = built.inputs, built.outputs, built.nodes
        producer = {}
        for node in graph.nodes:
            for t in node.outputs:
                producer[t] = node.op_type
        self.output_producers = [producer.get(t) for t in graph.outputs]
        try:
            self._compiled = core.compile_model(built.model, device, compile_config(device, num_threads, cache_dir))
        except RuntimeError as e:
            first = str(e).strip().splitlines()[0] if str(e).strip() else "unknown error"
            raise ModelFormatError(f"OpenVINO cannot compile the model for device {device!r}: {first}") from None
        self._request = self._compiled.create_infer_request()
        self._lock = threading.Lock()
        self._num_threads = int(num_threads or 0)
        try:
            self._num_threads = int(self._compiled.get_property("INFERENCE_NUM_THREADS")) or self._num_threads
        except (RuntimeError, TypeError, ValueError):
            pass

    @property
    def isa(self) -> str:
        return _core.default_isa()  # of the pre- and post-processing, which stay in the native core

    @property
    def num_threads(self) -> int:
        return self._num_threads

    @property
    def execution_devices(self) -> List[str]:
        try:
            return list(self._compiled.get_property("EXECUTION_DEVICES"))
        except RuntimeError:
            return [self.device]

    def forward(self, inputs: Sequence[np.ndarray], outputs: Sequence[int]) -> List[np.ndarray]:
        if len(inputs) != len(self.inputs):
            raise ValueError(f"the model takes {len(self.inputs)} input(s), got {len(inputs)}")
        for a, (name, shape) in zip(inputs, self.inputs):
            if tuple(a.shape) != shape:
                raise ValueError(f"input '{name}' must have shape {_shape_str(shape)}, got {_shape_str(a.shape)}")
        wanted = list(outputs) or list(range(len(self.outputs)))
        with self._lock:
            self._request.infer({i: a for i, a in enumerate(inputs)})
            return [np.array(self._request.get_output_tensor(i).data, dtype=np.float32, copy=True) for i in wanted]

    def profile(self, inputs: Sequence[np.ndarray], runs: int) -> list:
        raise NotImplementedError("per-node profiling runs on the native backend only; "
                                  "OpenVINO's own tools (benchmark_app -pc) profile its layers")


def _shape_str(shape) -> str:
    return "[" + ", ".join(str(int(d)) for d in shape) + "]"

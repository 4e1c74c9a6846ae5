"""Loading a .ecnn model and running its network."""

from __future__ import annotations

import os
from typing import Optional, Sequence, Union

import numpy as np

from .backends import open_backend

ModelSource = Union[str, os.PathLike, bytes, bytearray, memoryview]


def _read_source(source: ModelSource) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source) if isinstance(source, memoryview) else source
    if isinstance(source, (str, os.PathLike)):
        with open(os.fspath(source), "rb") as f:
            return f.read()
    raise TypeError(f"model must be a path or bytes, got {type(source).__name__}")


class Model:
    """A loaded network. Create with :func:`edgecnn.load`.

    The network runs on a backend (``backend``: "native", the C++ core, or
    "openvino"); pre- and post-processing run in the C++ core either way.
    A Model may be shared between threads: calls to :meth:`forward` on one
    Model are serialized (the network runs on the Model's own thread pool).
    """

    def __init__(self, source: ModelSource, *, num_threads: int | None = None, isa: str | None = None,
                 verify: bool = True, backend: str = "auto", device: str | None = None, cache_dir=None,
                 max_memory_bytes: int | None = None):
        if num_threads is not None and (not isinstance(num_threads, int) or num_threads < 1):
            raise ValueError(f"num_threads must be a positive int, got {num_threads!r}")
        if max_memory_bytes is not None and (not isinstance(max_memory_bytes, int) or isinstance(max_memory_bytes, bool)
                                             or not 0 < max_memory_bytes < 2 ** 63):
            raise ValueError(f"max_memory_bytes must be a positive int, got {max_memory_bytes!r}")
        data = _read_source(source)
        label = f"'{os.path.basename(os.fspath(source))}'" if isinstance(source, (str, os.PathLike)) else "model"
        self._backend = open_backend(data, backend=backend, device=device, num_threads=num_threads, isa=isa,
                                     verify=bool(verify), cache_dir=cache_dir, label=label,
                                     max_memory_bytes=max_memory_bytes)
        self._metadata = self._backend.metadata
        self._inputs = list(self._backend.inputs)
        self._outputs = list(self._backend.outputs)
        self._task_runners: dict = {}  # task -> api.TaskRunner, built on first use

    @property
    def metadata(self) -> dict:
        return self._metadata

    @property
    def task(self) -> str | None:
        return self._metadata.get("task")

    @property
    def labels(self) -> list[str]:
        return list(self._metadata.get("labels") or [])

    @property
    def input_shape(self) -> tuple[int, ...]:
        return self._inputs[0][1]

    @property
    def input_names(self) -> list[str]:
        return [n for n, _ in self._inputs]

    @property
    def output_names(self) -> list[str]:
        return [n for n, _ in self._outputs]

    @property
    def output_shapes(self) -> list[tuple[int, ...]]:
        return [s for _, s in self._outputs]

    @property
    def output_producers(self) -> list:
        """Op type of the node that computes each output (None for an output that is an input)."""
        return list(self._backend.output_producers)

    @property
    def backend(self) -> str:
        """The backend running the network: "native" or "openvino"."""
        return self._backend.name

    @property
    def device(self) -> str:
        """The device the network runs on ("CPU" for the native backend; the OpenVINO device name)."""
        return self._backend.device

    @property
    def isa(self) -> str:
        """SIMD tier of the native core (of the network on the native backend; of pre-/post-processing always)."""
        return self._backend.isa

    @property
    def num_threads(self) -> int:
        return self._backend.num_threads

    def forward(self, x: Union[np.ndarray, Sequence[np.ndarray]],
                outputs: Optional[Sequence[Union[int, str]]] = None) -> list[np.ndarray]:
        """Runs the network on float32 NCHW input(s); returns the outputs in ONNX order.

        outputs: names or indices of the outputs wanted (in the order wanted);
            only the nodes they depend on run. Default: all, in ONNX order.
        """
        return self._backend.forward(self._convert_inputs(x), self.output_indices(outputs))

    def output_indices(self, outputs: Optional[Sequence[Union[int, str]]]) -> list[int]:
        if outputs is None:
            return []
        names = self.output_names
        indices = []
        for o in outputs:
            if isinstance(o, str):
                if o not in names:
                    raise ValueError(f"the model has no output {o!r} (outputs: {names})")
                indices.append(names.index(o))
            elif isinstance(o, (int, np.integer)) and not isinstance(o, bool) and 0 <= o < len(names):
                indices.append(int(o))
            else:
                raise ValueError(f"output {o!r} is not an output name or an index in [0, {len(names)})")
        return indices

    def _convert_inputs(self, x) -> list:
        """float32 C-contiguous copies (or the arrays themselves) of the inputs, after checking
        count, type and shape: a wrong array is refused before anything is copied."""
        if not isinstance(x, (np.ndarray, list, tuple)):
            raise TypeError(f"x must be a numpy array or a list of arrays, got {type(x).__name__}")
        arrays = [x] if isinstance(x, np.ndarray) else list(x)
        if len(arrays) != len(self._inputs):
            raise ValueError(f"the model takes {len(self._inputs)} input(s), got {len(arrays)}")
        converted = []
        for i, a in enumerate(arrays):
            if not isinstance(a, np.ndarray):
                raise TypeError(f"input {i} must be a numpy ndarray, got {type(a).__name__}")
            if a.dtype.kind != "f":
                raise TypeError(f"input {i} must be a floating-point array, got dtype {a.dtype}")
            name, shape = self._inputs[i]
            if tuple(a.shape) != tuple(shape):
                raise ValueError(f"input '{name}' must have shape {list(shape)}, got {list(a.shape)}")
            with np.errstate(over="ignore", invalid="ignore"):  # float64 beyond float32 becomes inf, silently
                converted.append(np.ascontiguousarray(a, dtype=np.float32))
        return converted

    def run(self, frame, task: Optional[str] = None, **options):
        """edgecnn.run(task, frame, model=self, **options); task defaults to the model's own."""
        from .api import run

        return run(task, frame, self, **options)

    def profile(self, x: Union[np.ndarray, Sequence[np.ndarray], None] = None, runs: int = 10) -> "Profile":
        """Times every node over `runs` forward passes (after one warm-up); x defaults to zeros.

        Returns a Profile whose ``table()`` lists nodes slowest first, so a slow
        layer is found by measurement.
        """
        if x is None:
            x = [np.zeros(shape, np.float32) for _, shape in self._inputs]
        return Profile(self._backend.profile(self._convert_inputs(x), max(1, int(runs))))

    def __repr__(self) -> str:
        where = f"backend={self.backend!r}" + (f", device={self.device!r}" if self.backend != "native" else "")
        return (f"edgecnn.Model(task={self.task!r}, input_shape={self.input_shape}, "
                f"outputs={len(self._outputs)}, {where}, isa={self.isa!r}, num_threads={self.num_threads})")


class Profile:
    """Per-node mean wall time of a model's forward pass."""

    def __init__(self, rows):
        self.rows = rows  # (node name, op type, output shape, seconds)

    @property
    def total_seconds(self) -> float:
        return float(sum(r[3] for r in self.rows))

    def by_op(self) -> dict:
        out: dict = {}
        for _, op, _, t in self.rows:
            out[op] = out.get(op, 0.0) + float(t)
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))

    def table(self, top: int = 25) -> str:
        total = self.total_seconds or 1.0
        lines = ["| node | op | output | ms | % |", "|---|---|---|---:|---:|"]
        for name, op, shape, t in sorted(self.rows, key=lambda r: -r[3])[:top]:
            lines.append(f"| {name} | {op} | {'x'.join(map(str, shape))} | {t * 1e3:.3f} | {100 * t / total:.1f} |")
        lines.append(f"| total | | | {self.total_seconds * 1e3:.3f} | 100 |")
        return "\n".join(lines)


def load(source: ModelSource, *, num_threads: int | None = None, isa: str | None = None,
         verify: bool = True, backend: str = "auto", device: str | None = None, cache_dir=None,
         max_memory_bytes: int | None = None) -> Model:
    """Loads a .ecnn model from a path or bytes.

    num_threads: threads running the network (default: the machine's cores).
    isa: caps the SIMD tier of the native backend ("scalar", "avx2", "avx512",
        "neon"); the default is the best tier of this CPU, capped by EDGECNN_ISA.
    verify: check the file's CRC-32 (False skips it, for speed).
    backend: "auto" (native when the C++ core supports every op of the model,
        else OpenVINO; logged on logger "edgecnn"), "native" or "openvino"
        (needs pip install 'edgecnn[openvino]'). See docs/backends.md.
    device: OpenVINO device ("CPU", "GPU", "NPU", "AUTO", ...); the native
        backend runs on the CPU only. Default: CPU.
    cache_dir: OpenVINO's model cache directory, so a later load of the same
        model skips compilation (the openvino backend only).
    max_memory_bytes: the most memory the native backend may plan for the
        network's tensors and scratch (default 4 GiB); a model that needs more
        is refused at load with ModelFormatError, before anything is allocated.
        The native backend only (ValueError with backend="openvino").
    """
    return Model(source, num_threads=num_threads, isa=isa, verify=verify, backend=backend, device=device,
                 cache_dir=cache_dir, max_memory_bytes=max_memory_bytes)

"""Loading a .ecnn model and running its network."""

from __future__ import annotations

import json
import os
from typing import Optional, Sequence, Union

import numpy as np

from . import _core
from ._errors import ModelFormatError

ModelSource = Union[str, os.PathLike, bytes, bytearray, memoryview]


def _read_source(source: ModelSource) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source) if isinstance(source, memoryview) else source
    if isinstance(source, (str, os.PathLike)):
        with open(os.fspath(source), "rb") as f:
            return f.read()
    raise TypeError(f"model must be a path or bytes, got {type(source).__name__}")


def _parse_metadata(text: bytes) -> dict:
    try:
        meta = json.loads(text.decode("utf-8")) if text else {}
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ModelFormatError(f"META section is not valid UTF-8 JSON: {e}") from None
    if not isinstance(meta, dict):
        raise ModelFormatError("META section must hold a JSON object")
    return meta


class Model:
    """A loaded network. Create with :func:`edgecnn.load`.

    A Model may be shared between threads: calls to :meth:`forward` on one
    Model are serialized (the network runs on the Model's own thread pool).
    """

    def __init__(self, source: ModelSource, *, num_threads: int | None = None, isa: str | None = None,
                 verify: bool = True):
        if num_threads is not None and (not isinstance(num_threads, int) or num_threads < 1):
            raise ValueError(f"num_threads must be a positive int, got {num_threads!r}")
        data = _read_source(source)
        self._core = _core.Model(data, num_threads or 0, isa or "", bool(verify))
        self._metadata = _parse_metadata(self._core.metadata_json)
        self._inputs = [(name, tuple(shape)) for name, shape in self._core.inputs]
        self._outputs = [(name, tuple(shape)) for name, shape in self._core.outputs]
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
        producer = {out: op for _, op, out, _ in self._core.nodes}
        return [producer.get(name) for name in self.output_names]

    @property
    def isa(self) -> str:
        return self._core.isa

    @property
    def num_threads(self) -> int:
        return self._core.num_threads

    def forward(self, x: Union[np.ndarray, Sequence[np.ndarray]],
                outputs: Optional[Sequence[Union[int, str]]] = None) -> list[np.ndarray]:
        """Runs the network on float32 NCHW input(s); returns the outputs in ONNX order.

        outputs: names or indices of the outputs wanted (in the order wanted);
            only the nodes they depend on run. Default: all, in ONNX order.
        """
        return self._core.forward(self._convert_inputs(x), self.output_indices(outputs))

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

    @staticmethod
    def _convert_inputs(x) -> list:
        arrays = [x] if isinstance(x, np.ndarray) else list(x)
        converted = []
        for i, a in enumerate(arrays):
            if not isinstance(a, np.ndarray):
                raise TypeError(f"input {i} must be a numpy ndarray, got {type(a).__name__}")
            if a.dtype.kind != "f":
                raise TypeError(f"input {i} must be a floating-point array, got dtype {a.dtype}")
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
        arrays = self._convert_inputs(x)
        self._core.forward(arrays)
        totals = np.zeros(len(self._core.nodes))
        for _ in range(max(1, int(runs))):
            _, seconds = self._core.forward_profiled(arrays)
            totals += np.asarray(seconds)
        return Profile([(name, op, shape, t / max(1, int(runs))) for (name, op, _, shape), t in
                        zip(self._core.nodes, totals)])

    def __repr__(self) -> str:
        return (f"edgecnn.Model(task={self.task!r}, input_shape={self.input_shape}, "
                f"outputs={len(self._outputs)}, isa={self.isa!r}, num_threads={self.num_threads})")


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
         verify: bool = True) -> Model:
    """Loads a .ecnn model from a path or bytes.

    num_threads: threads of the model's pool (default: the machine's cores).
    isa: caps the SIMD tier for this model ("scalar", "avx2", "avx512", "neon");
        the default is the best tier of this CPU, capped by EDGECNN_ISA.
    verify: check the file's CRC-32 (False skips it, for speed).
    """
    return Model(source, num_threads=num_threads, isa=isa, verify=verify)

"""The native backend: the C++ core runs the network."""

from __future__ import annotations

from typing import List, Optional, Sequence

import numpy as np

from .. import _core
from .base import Backend, parse_metadata


class NativeBackend(Backend):
    name = "native"
    device = "CPU"

    def __init__(self, data: bytes, *, num_threads: Optional[int], isa: Optional[str], verify: bool,
                 max_memory_bytes: Optional[int] = None):
        self._core = _core.Model(data, num_threads or 0, isa or "", bool(verify), max_memory_bytes or 0)
        self.metadata = parse_metadata(self._core.metadata_json)
        self.inputs = [(name, tuple(shape)) for name, shape in self._core.inputs]
        self.outputs = [(name, tuple(shape)) for name, shape in self._core.outputs]
        producer = {out: op for _, op, out, _ in self._core.nodes}
        self.output_producers = [producer.get(name) for name, _ in self.outputs]

    @property
    def isa(self) -> str:
        return self._core.isa

    @property
    def num_threads(self) -> int:
        return self._core.num_threads

    def forward(self, inputs: Sequence[np.ndarray], outputs: Sequence[int]) -> List[np.ndarray]:
        return self._core.forward(list(inputs), list(outputs))

    def profile(self, inputs: Sequence[np.ndarray], runs: int) -> list:
        arrays = list(inputs)
        self._core.forward(arrays)
        nodes = self._core.nodes
        totals = np.zeros(len(nodes))
        for _ in range(runs):
            _, seconds = self._core.forward_profiled(arrays)
            totals += np.asarray(seconds)
        return [(name, op, shape, t / runs) for (name, op, _, shape), t in zip(nodes, totals)]

"""What a backend provides to edgecnn.Model: the network of one .ecnn file,
its inputs and outputs, and a forward pass. Pre- and post-processing are not
part of a backend: they run in the native core whichever backend runs the
network."""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

import numpy as np


class Backend:
    name: str = ""  # "native" or "openvino"
    device: str = "CPU"
    metadata: dict
    inputs: List[Tuple[str, Tuple[int, ...]]]  # (name, shape) of each graph input
    outputs: List[Tuple[str, Tuple[int, ...]]]  # (name, shape) of each graph output, in ONNX order
    output_producers: List[Optional[str]]  # op type of the node computing each output
    isa: str  # SIMD tier of the native core (the network's when native; pre/post-processing's always)
    num_threads: int

    def forward(self, inputs: Sequence[np.ndarray], outputs: Sequence[int]) -> List[np.ndarray]:
        """float32 C-contiguous inputs; the outputs at indices `outputs` (all when empty), as new arrays."""
        raise NotImplementedError

    def profile(self, inputs: Sequence[np.ndarray], runs: int) -> list:
        """(node name, op type, output shape, mean seconds) per node."""
        raise NotImplementedError(f"profiling is not available on the {self.name} backend")


def parse_metadata(text: bytes) -> dict:
    """The META section's JSON object."""
    import json

    from .._errors import ModelFormatError

    try:
        meta = json.loads(text.decode("utf-8")) if text else {}
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:  # RecursionError: nesting too deep
        raise ModelFormatError(f"META section is not valid UTF-8 JSON: {e}") from None
    if not isinstance(meta, dict):
        raise ModelFormatError("META section must hold a JSON object")
    return meta

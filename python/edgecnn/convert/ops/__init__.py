"""The operator registry: the native op set of .ecnn version 1 and one module
per ONNX (or edgecnn) operator holding how the converter folds, normalizes
and fuses it (see _common.py for the functions a module may define)."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import Dict, Optional

from ._common import Unsupported

__all__ = ["FALLBACK_OPS", "NATIVE_OPS", "Unsupported", "module_for"]

# The operators the edgecnn runtime executes (docs/format.md, "Operators").
NATIVE_OPS = frozenset(
    {
        "Conv", "ConvTranspose", "Gemm", "MatMul", "BatchNormalization",
        "Relu", "Clip", "Sigmoid", "HardSigmoid", "HardSwish", "LeakyRelu", "PRelu", "Tanh",
        "Add", "Sub", "Mul", "Div",
        "MaxPool", "AveragePool", "GlobalAveragePool",
        "Concat", "Split", "Slice", "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze",
        "Resize", "Softmax", "Pad", "Identity", "SiLU",
    }
)  # fmt: skip

# Operators a file may hold beyond NATIVE_OPS (docs/format.md, "Fallback
# operators"): a fallback backend (OpenVINO) runs them, and the file is marked
# with FLAG_NEEDS_FALLBACK. Each has a mapper in edgecnn/backends/openvino_ops.
FALLBACK_OPS = frozenset(
    {
        "Abs", "Neg", "Exp", "Log", "Sqrt", "Reciprocal", "Erf", "Pow", "Min", "Max",
        "Gelu", "Mish", "Softplus", "Elu", "LayerNormalization",
        "ReduceMean", "ReduceMax", "ReduceSum",
    }
)  # fmt: skip


def _load_modules() -> Dict[str, ModuleType]:
    modules = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        modules[module.OP_TYPE] = module
    return modules


_MODULES = _load_modules()


def module_for(op_type: str) -> Optional[ModuleType]:
    """The module of an ONNX (default domain) or edgecnn operator, if the converter knows it."""
    return _MODULES.get(op_type)

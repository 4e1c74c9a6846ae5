"""edgecnn: classification, segmentation, detection and instance segmentation on edge CPUs."""

from importlib.metadata import PackageNotFoundError as _PackageNotFoundError
from importlib.metadata import version as _version

from . import _core
from ._errors import ConversionError, EdgecnnError, ModelFormatError, UnsupportedOpError
from .model import Model, load

try:
    __version__ = _version("edgecnn")
except _PackageNotFoundError:  # running from a source tree
    __version__ = getattr(_core, "__version__", "0+unknown")


def runtime_info() -> dict:
    """What this process runs with: SIMD tier, default thread count, version."""
    return {
        "isa": _core.default_isa(),
        "detected_isa": _core.detected_isa(),
        "available_isas": _core.available_isas(),
        "gemm_kernel": _core.f32_gemm_kernel_name(_core.default_isa()),
        "num_threads": _core.default_thread_count(),
        "version": __version__,
        "supported_ops": _core.supported_ops(),
    }


def convert(onnx_model, out_path, **options):
    """Converts an ONNX model to .ecnn; keywords mirror `edgecnn convert`'s flags."""
    from .convert import convert as _convert

    return _convert(onnx_model, out_path, **options)


__all__ = [
    "ConversionError",
    "EdgecnnError",
    "Model",
    "ModelFormatError",
    "UnsupportedOpError",
    "convert",
    "load",
    "runtime_info",
    "__version__",
]

"""edgecnn: classification, segmentation, detection and instance segmentation on edge CPUs."""

from importlib.metadata import PackageNotFoundError as _PackageNotFoundError
from importlib.metadata import version as _version

from . import _core
from ._errors import ConversionError, EdgecnnError, ModelFormatError, UnsupportedOpError
from .model import Model, Profile, load

# Imported eagerly so the name `convert` is this function, not the subpackage
# (importing a subpackage binds its name on the parent). The converter imports
# `onnx` only when it runs.
from .convert import ConversionReport, convert  # noqa: E402
from .draw import draw  # noqa: E402
from .api import run  # noqa: E402
from .results import Classification, Detections, Instances, Segmentation  # noqa: E402

try:
    __version__ = _version("edgecnn")
except _PackageNotFoundError:  # running from a source tree
    __version__ = getattr(_core, "__version__", "0+unknown")


def runtime_info() -> dict:
    """What this process runs with: SIMD tier, default thread count, version,
    and the backends that can run a network with their devices
    (``backends``, ``devices``: backend -> device names, ``openvino_version``)."""
    from .backends import backend_info

    return {
        "isa": _core.default_isa(),
        "detected_isa": _core.detected_isa(),
        "available_isas": _core.available_isas(),
        "gemm_kernel": _core.f32_gemm_kernel_name(_core.default_isa()),
        "num_threads": _core.default_thread_count(),
        "version": __version__,
        "supported_ops": _core.supported_ops(),
        **backend_info(),
    }


__all__ = [
    "Classification",
    "Detections",
    "Instances",
    "Segmentation",
    "run",
    "ConversionError",
    "ConversionReport",
    "EdgecnnError",
    "Model",
    "ModelFormatError",
    "Profile",
    "UnsupportedOpError",
    "convert",
    "draw",
    "load",
    "runtime_info",
    "__version__",
]

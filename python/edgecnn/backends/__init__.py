"""Backends that run the network of an .ecnn file, and the choice between them.

- ``native``: the C++ core.
- ``openvino``: OpenVINO (optional: ``pip install 'edgecnn[openvino]'``), on any
  OpenVINO device. The network is built from the .ecnn file itself.
- ``auto``: native when the core supports every op type of the model (an
  unsupported variant of an op it has stays the native error), otherwise
  OpenVINO; one log line (logger ``edgecnn``, level INFO) says which and why.
  A device other than CPU also means OpenVINO.

Pre- and post-processing run in the native core whichever backend runs the
network, so results have the same types and meaning.
"""

from __future__ import annotations

import collections
import importlib.util
import logging
from typing import Optional

from .. import _core
from .._errors import UnsupportedOpError
from ..ecnn_file import FLAG_NEEDS_FALLBACK, HEADER, read_ecnn
from .base import Backend
from .native import NativeBackend
from .openvino_backend import INSTALL_HINT, OpenVinoBackend

__all__ = ["BACKENDS", "Backend", "NativeBackend", "OpenVinoBackend", "backend_info", "open_backend",
           "openvino_available"]

BACKENDS = ("auto", "native", "openvino")
logger = logging.getLogger("edgecnn")


def openvino_available() -> bool:
    try:
        return importlib.util.find_spec("openvino") is not None
    except (ImportError, ValueError):
        return False


def backend_info() -> dict:
    """The backends this process can use and their devices (for edgecnn.runtime_info)."""
    info = {"backends": ["native"], "devices": {"native": ["CPU"]}, "openvino_version": None}
    if openvino_available():
        try:
            from .openvino_backend import available_devices, import_openvino

            openvino = import_openvino()

            info["devices"]["openvino"] = available_devices()
            info["backends"].append("openvino")
            info["openvino_version"] = getattr(openvino, "__version__", None) or openvino.get_version()
        except Exception as e:  # a broken installation: report it instead of failing runtime_info
            info["openvino_error"] = f"{type(e).__name__}: {e}"
    return info


def _header_flags(data: bytes) -> int:
    if len(data) < HEADER.size:
        return 0  # the loader reports the real problem
    return HEADER.unpack_from(data)[5]


def _missing_ops(graph) -> collections.Counter:
    """Op type -> count of the nodes whose op the native core lacks."""
    known = set(_core.supported_ops())
    return collections.Counter(n.op_type for n in graph.nodes if n.op_type not in known)


def _native_gaps(graph, names_per_op: int = 5) -> str:
    """Which op types the native core lacks, with the names of (up to
    names_per_op of) their nodes, so the user can find them in the model."""
    missing = _missing_ops(graph)
    if not missing:
        return "the file is marked as needing a fallback backend"
    known = set(_core.supported_ops())
    names: dict = collections.defaultdict(list)
    for i, n in enumerate(graph.nodes):
        if n.op_type not in known:
            names[n.op_type].append(repr(n.name) if n.name else f"node {i}")
    parts = []
    for op, count in sorted(missing.items()):
        shown = ", ".join(names[op][:names_per_op]) + (", ..." if count > names_per_op else "")
        parts.append(f"{op} ({count} node{'s' if count > 1 else ''}: {shown})")
    return f"the native core lacks {', '.join(parts)}"


def open_backend(data: bytes, *, backend: str = "auto", device: Optional[str] = None, num_threads: Optional[int] = None,
                 isa: Optional[str] = None, verify: bool = True, cache_dir=None, label: str = "model",
                 max_memory_bytes: Optional[int] = None) -> Backend:
    """The backend that runs the network of the .ecnn file `data` (see the module docstring)."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(map(repr, BACKENDS))}, got {backend!r}")
    if device is not None and (not isinstance(device, str) or not device):
        raise ValueError(f"device must be a device name such as 'CPU', 'GPU', 'NPU' or 'AUTO', got {device!r}")
    if backend == "native":
        if device is not None and device.upper() != "CPU":
            raise ValueError(f"the native backend runs on the CPU only, got device={device!r} "
                             "(use backend='openvino' for other devices)")
        return NativeBackend(data, num_threads=num_threads, isa=isa, verify=verify,
                                 max_memory_bytes=max_memory_bytes)
    if backend == "openvino":
        if max_memory_bytes is not None:
            raise ValueError("max_memory_bytes limits the native backend's planned memory; "
                             "the openvino backend manages its own")
        return OpenVinoBackend(data, device=device or "CPU", num_threads=num_threads, verify=verify,
                               cache_dir=cache_dir)

    graph = None
    if device is not None and device.upper() != "CPU":
        reason = f"device {device!r} was asked for and the native core runs on the CPU only"
    elif _header_flags(data) & FLAG_NEEDS_FALLBACK:
        graph = read_ecnn(data, verify=verify)
        reason = _native_gaps(graph)
    else:
        try:
            native = NativeBackend(data, num_threads=num_threads, isa=isa, verify=verify,
                                 max_memory_bytes=max_memory_bytes)
        except UnsupportedOpError:
            # Fall back only for op types the core lacks; an unsupported variant
            # of an op it has (an attribute value, a rank) stays the native error.
            graph = read_ecnn(data, verify=verify)
            if not _missing_ops(graph):
                raise
            reason = _native_gaps(graph)
        else:
            logger.info("edgecnn: %s runs on the native backend: the native core supports every op of the model",
                        label)
            return native
    if max_memory_bytes is not None:
        raise ValueError(f"{label} needs the OpenVINO backend ({reason}), and max_memory_bytes limits the native "
                         "backend only")
    if not openvino_available():
        raise UnsupportedOpError(f"{label} needs the OpenVINO backend ({reason}), but OpenVINO is not installed. "
                                 f"Install it with: {INSTALL_HINT}")
    chosen = OpenVinoBackend(data, device=device or "CPU", num_threads=num_threads, verify=verify,
                             cache_dir=cache_dir, graph=graph)
    logger.info("edgecnn: %s runs on the openvino backend (device %s): %s", label, chosen.device, reason)
    return chosen

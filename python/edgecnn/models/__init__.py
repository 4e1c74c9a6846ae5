"""Models shipped inside the package.

``DEFAULT_MODEL_PATH`` is the embedded default model (``default.ecnn``): one
network with classify, segment, detect and instance heads, trained on
edgecnn.scenes (see docs/default_model.md). It is a plain file inside the
installed package, so ``edgecnn.load(DEFAULT_MODEL_PATH)`` works offline.
"""

from __future__ import annotations

from pathlib import Path

try:  # Python 3.9+: a Traversable; a real path for a normal (not zipped) install
    from importlib.resources import files as _files

    _DIR = Path(str(_files(__name__)))
except Exception:  # pragma: no cover
    _DIR = Path(__file__).resolve().parent

DEFAULT_MODEL_NAME = "default.ecnn"
DEFAULT_MODEL_PATH: Path = _DIR / DEFAULT_MODEL_NAME


def default_model_bytes() -> bytes:
    """The default model's file contents."""
    return DEFAULT_MODEL_PATH.read_bytes()


__all__ = ["DEFAULT_MODEL_NAME", "DEFAULT_MODEL_PATH", "default_model_bytes"]

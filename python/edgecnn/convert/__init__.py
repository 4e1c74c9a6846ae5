"""ONNX → .ecnn conversion (needs the optional `onnx` package: pip install edgecnn[convert])."""

from .converter import ConversionReport, convert

__all__ = ["ConversionReport", "convert"]

"""Exception types. Every error the library raises on purpose derives from EdgecnnError."""


class EdgecnnError(Exception):
    """Base class of edgecnn's errors."""


class ModelFormatError(EdgecnnError, ValueError):
    """A .ecnn file (or bytes) is malformed: bad header, sizes, offsets, graph or attributes."""


class UnsupportedOpError(EdgecnnError):
    """A model uses operators (or operator variants) that edgecnn cannot run.

    ``ops`` lists ``(op_type, node_name, reason)`` for every offending node.
    """

    def __init__(self, message, ops=()):
        super().__init__(message)
        self.ops = list(ops)


class ConversionError(EdgecnnError):
    """An ONNX model could not be converted for a reason other than unsupported ops."""

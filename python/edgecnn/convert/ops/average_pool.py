"""AveragePool: explicit pads (auto_pad resolved)."""

from ._common import pool_normalize

OP_TYPE = "AveragePool"


def normalize(node, graph):
    pool_normalize(node, graph, keep=("ceil_mode", "count_include_pad", "dilations"))

"""AveragePool: explicit pads (auto_pad resolved)."""

from ._common import ceil_mode_pool_shapes, pool_normalize

OP_TYPE = "AveragePool"

output_shapes = ceil_mode_pool_shapes


def normalize(node, graph):
    pool_normalize(node, graph, keep=("ceil_mode", "count_include_pad", "dilations"))

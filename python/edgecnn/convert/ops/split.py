"""Split: `split` (input since opset 13, or implied by num_outputs / equal
parts) becomes an explicit ints attribute."""

import numpy as np

from ._common import const_input, ints_attr_or_input, known_shape, normalize_axis, optional_input, set_inputs, split_sizes

OP_TYPE = "Split"


def _sizes_and_axis(node, split_value, shape):
    axis = normalize_axis(int(node.attrs.get("axis", 0)), len(shape))
    return split_sizes(node, ints_attr_or_input(node, "split", split_value), shape[axis]), axis


def evaluate(node, inputs):
    x = inputs[0]
    sizes, axis = _sizes_and_axis(node, optional_input(inputs, 1), x.shape)
    return np.split(x, np.cumsum(sizes)[:-1], axis=axis)


def normalize(node, graph):
    shape = known_shape(graph, node.inputs[0])
    sizes, axis = _sizes_and_axis(node, const_input(graph, node, 1, "split"), shape)
    node.attrs = {"axis": axis, "split": sizes}
    set_inputs(node, node.inputs[:1])

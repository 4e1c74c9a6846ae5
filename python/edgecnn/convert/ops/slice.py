"""Slice: starts/ends/axes/steps (inputs since opset 10) become ints attributes
with axes non-negative, steps explicit and bounds clamped to the dimension."""

from ._common import const_input, ints_attr_or_input, known_shape, optional_input, set_inputs, slice_params

OP_TYPE = "Slice"

PARAMETERS = ("starts", "ends", "axes", "steps")


def _params(node, shape, values):
    lists = [ints_attr_or_input(node, name, value) for name, value in zip(PARAMETERS, values)]
    return slice_params(shape, *lists)


def evaluate(node, inputs):
    x = inputs[0]
    starts, ends, axes, steps = _params(node, x.shape, [optional_input(inputs, i) for i in range(1, 5)])
    index = [slice(None)] * x.ndim
    for axis, start, end, step in zip(axes, starts, ends, steps):
        index[axis] = slice(start, None if end < 0 else end, step)
    return [x[tuple(index)]]


def normalize(node, graph):
    shape = known_shape(graph, node.inputs[0])
    values = [const_input(graph, node, i, name) for i, name in enumerate(PARAMETERS, start=1)]
    starts, ends, axes, steps = _params(node, shape, values)
    node.attrs = {"starts": starts, "ends": ends, "axes": axes, "steps": steps}
    set_inputs(node, node.inputs[:1])

"""Between ONNX protobufs and the working graph: loading, opset upgrade, the
graph input, and shape inference (run by onnx on the working graph)."""

from __future__ import annotations

import os
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .._errors import ConversionError
from .graph import Graph, Node, Value

DEFAULT_DOMAINS = ("", "ai.onnx")
# Models older than this are upgraded: from opset 11 on, the ops edgecnn uses
# take their parameters the way the operator modules expect (Clip/Pad/Resize
# inputs, Resize coordinate modes).
MIN_OPSET = 11
UPGRADE_TARGET_OPSET = 13
# Constants up to this many elements (and all non-float ones) are given to
# shape inference with their values, which data propagation may need; larger
# ones (weights) only by type and shape.
SHAPE_INFERENCE_VALUE_LIMIT = 4096


def import_onnx():
    try:
        import onnx
    except ImportError as e:
        raise ConversionError(
            "converting ONNX models needs the 'onnx' package: pip install edgecnn[convert]"
        ) from e
    return onnx


def load_model(source):
    """The ModelProto of `source` (a path or a ModelProto) and its file name (None for a ModelProto)."""
    onnx = import_onnx()
    if isinstance(source, onnx.ModelProto):
        return source, None
    path = os.fspath(source)
    try:
        model = onnx.load(path)
    except FileNotFoundError:
        raise ConversionError(f"no such file: {path}") from None
    except Exception as e:  # protobuf's DecodeError and friends share no base class
        raise ConversionError(f"cannot read ONNX model {path}: {e}") from None
    return model, os.path.basename(path)


def default_opset(model) -> int:
    for entry in model.opset_import:
        if entry.domain in DEFAULT_DOMAINS:
            return int(entry.version)
    raise ConversionError("the model imports no version of the default ONNX operator set")


def upgrade_opset(model):
    opset = default_opset(model)
    if opset >= MIN_OPSET:
        return model
    import_onnx()
    from onnx import version_converter

    try:
        return version_converter.convert_version(model, UPGRADE_TARGET_OPSET)
    except Exception as e:
        raise ConversionError(f"cannot upgrade the model from opset {opset} to {UPGRADE_TARGET_OPSET}: {e}") from None


def graph_input(model):
    """The model's single real input (initializers listed as inputs excluded)."""
    initializers = {t.name for t in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in initializers]
    if len(inputs) != 1:
        names = ", ".join(i.name for i in inputs) or "none"
        raise ConversionError(f"the model has {len(inputs)} inputs ({names}); edgecnn supports exactly one")
    return inputs[0]


def input_dims(value_info) -> Optional[List[Optional[int]]]:
    """The declared dims of an input: ints, None where dynamic; None if no shape."""
    tensor_type = value_info.type.tensor_type
    if not tensor_type.HasField("shape"):
        return None
    return [d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else None for d in tensor_type.shape.dim]


def input_dtype(value_info) -> np.dtype:
    onnx = import_onnx()
    elem = value_info.type.tensor_type.elem_type
    if elem == onnx.TensorProto.FLOAT:
        return np.dtype(np.float32)
    name = onnx.TensorProto.DataType.Name(elem) if elem else "of unknown type"
    raise ConversionError(f"graph input '{value_info.name}' is {name}; edgecnn runs float32 models only")


def _attribute_value(attr):
    onnx = import_onnx()
    from onnx import helper, numpy_helper

    kind = onnx.AttributeProto
    if attr.type == kind.TENSOR:
        return numpy_helper.to_array(attr.t)
    if attr.type == kind.STRING:
        return attr.s.decode("utf-8", errors="replace")
    if attr.type == kind.STRINGS:
        return [s.decode("utf-8", errors="replace") for s in attr.strings]
    if attr.type in (kind.INTS, kind.FLOATS):
        return list(helper.get_attribute_value(attr))
    if attr.type in (kind.INT, kind.FLOAT):
        return helper.get_attribute_value(attr)
    return attr  # graphs, sparse tensors, type protos: kept as protos; no edgecnn op takes them


def build_graph(model, input_shape: Sequence[int]) -> Graph:
    """The working graph of `model` with its input fixed at `input_shape`."""
    from onnx import numpy_helper

    g = model.graph
    values = {}
    for init in g.initializer:
        array = numpy_helper.to_array(init)
        values[init.name] = Value(init.name, array.dtype, tuple(array.shape), array)
    inp = graph_input(model)
    values[inp.name] = Value(inp.name, input_dtype(inp), tuple(int(d) for d in input_shape))

    nodes = []
    used_names = set()
    for index, n in enumerate(g.node):
        name = n.name or f"{n.op_type}_{index}"
        while name in used_names:
            name = f"{name}_{index}"
        used_names.add(name)
        outputs = list(n.output)
        while outputs and not outputs[-1]:
            outputs.pop()
        nodes.append(
            Node(n.op_type, name, list(n.input), outputs, {a.name: _attribute_value(a) for a in n.attribute}, n.domain)
        )
    graph = Graph(values, nodes, inp.name, [o.name for o in g.output], default_opset(model))
    for n in graph.nodes:
        for i, out in enumerate(n.outputs):
            if not out:  # an unnamed output before named ones
                n.outputs[i] = graph.fresh_name(f"{n.name}_unused")
            graph.value(n.outputs[i])
    try:
        graph.topological_sort()
    except ValueError as e:
        raise ConversionError(str(e)) from None
    return graph


def _to_onnx_attribute(name, value):
    onnx = import_onnx()
    from onnx import helper, numpy_helper

    if isinstance(value, onnx.AttributeProto):
        return value
    if isinstance(value, np.ndarray):
        return helper.make_attribute(name, numpy_helper.from_array(value))
    return helper.make_attribute(name, value)


def infer_shapes(graph: Graph, model) -> None:
    """Updates the dtype and shape of every non-constant tensor by running ONNX
    shape inference (with data propagation) on the working graph.

    Where an op module knows better than onnx (`output_shapes`), its shapes are
    declared to onnx and inference runs again, so they reach the tensors after.
    """
    from . import ops

    declared: Dict[str, tuple] = {}
    while True:
        _run_onnx_shape_inference(graph, model, declared)
        corrections = {}
        for node in graph.nodes:
            module = ops.module_for(node.op_type) if node.domain in DEFAULT_DOMAINS else None
            shapes = module.output_shapes(node, graph) if hasattr(module, "output_shapes") else None
            for name, shape in zip(node.outputs, shapes or ()):
                if graph.shape(name) != shape:
                    corrections[name] = shape
        if not corrections:
            return
        if all(declared.get(name) == shape for name, shape in corrections.items()):
            # onnx did not take the declared shapes; set them without propagation.
            for name, shape in corrections.items():
                graph.values[name].shape = shape
            return
        declared.update(corrections)


def _run_onnx_shape_inference(graph: Graph, model, declared: Dict[str, tuple]) -> None:
    onnx = import_onnx()
    from onnx import helper, numpy_helper

    inputs, initializers = [], []
    used = {name for n in graph.nodes for name in n.inputs if name}
    for name in sorted(used):
        v = graph.values.get(name)
        if v is None or v.const is None:
            continue
        c = v.const
        if c.size <= SHAPE_INFERENCE_VALUE_LIMIT or not np.issubdtype(c.dtype, np.floating):
            initializers.append(numpy_helper.from_array(c, name))
        else:
            elem = helper.np_dtype_to_tensor_dtype(c.dtype)
            inputs.append(helper.make_tensor_value_info(name, elem, list(c.shape)))
    inp = graph.values[graph.input_name]
    inputs.insert(0, helper.make_tensor_value_info(inp.name, helper.np_dtype_to_tensor_dtype(inp.dtype), list(inp.shape)))
    nodes = []
    for n in graph.nodes:
        nodes.append(helper.make_node(n.op_type, n.inputs, n.outputs, name=n.name, domain=n.domain or None))
        nodes[-1].attribute.extend(_to_onnx_attribute(k, v) for k, v in n.attrs.items())
    outputs = [helper.make_empty_tensor_value_info(o) for o in graph.output_names]
    value_info = [
        helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(graph.dtype(name) or np.dtype(np.float32)), list(shape))
        for name, shape in declared.items()
    ]
    proto = helper.make_model(
        helper.make_graph(nodes, "shape_inference", inputs, outputs, initializers, value_info=value_info),
        opset_imports=list(model.opset_import),
        ir_version=model.ir_version,
    )
    try:
        inferred = onnx.shape_inference.infer_shapes(proto, check_type=False, strict_mode=False, data_prop=True)
    except Exception as e:
        raise ConversionError(f"ONNX shape inference failed: {e}") from None
    for vi in list(inferred.graph.value_info) + list(inferred.graph.output):
        v = graph.values.get(vi.name)
        if v is None or v.const is not None or vi.name == graph.input_name:
            continue
        dtype, shape = _type_of(vi)
        v.dtype = dtype if dtype is not None else v.dtype
        v.shape = shape if shape is not None else v.shape


def _type_of(value_info) -> Tuple[Optional[np.dtype], Optional[tuple]]:
    from onnx import helper

    tensor_type = value_info.type.tensor_type
    dtype = np.dtype(helper.tensor_dtype_to_np_dtype(tensor_type.elem_type)) if tensor_type.elem_type else None
    shape = None
    if tensor_type.HasField("shape") and all(d.HasField("dim_value") for d in tensor_type.shape.dim):
        shape = tuple(int(d.dim_value) for d in tensor_type.shape.dim)
    return dtype, shape

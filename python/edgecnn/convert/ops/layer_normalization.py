"""LayerNormalization (ONNX opset 17; fallback operator): output Y only, with
a non-negative `axis` and `epsilon` written explicitly (stash_type dropped:
float32 throughout)."""

from ._common import known_shape, normalize_axis, set_inputs, Unsupported

OP_TYPE = "LayerNormalization"


def normalize(node, graph):
    rank = len(known_shape(graph, node.inputs[0]))
    for extra in node.outputs[1:]:
        if extra and (graph.consumers(extra) or graph.is_graph_output(extra)):
            raise Unsupported("uses the Mean / InvStdDev outputs")
    if len(node.inputs) < 2 or not node.inputs[1]:
        raise Unsupported("has no Scale")
    node.outputs = node.outputs[:1]
    node.attrs = {"axis": normalize_axis(int(node.attrs.get("axis", -1)), rank),
                  "epsilon": float(node.attrs.get("epsilon", 1e-5))}
    set_inputs(node, node.inputs[:3])

import numpy as np

OP_TYPE = "Div"


def evaluate(node, inputs):
    a, b = inputs
    if np.issubdtype(a.dtype, np.integer):
        # ONNX integer division truncates toward zero; numpy's // floors.
        q = np.abs(a) // np.abs(b)
        return [(np.sign(a) * np.sign(b) * q).astype(a.dtype)]
    return [np.asarray(a / b).astype(a.dtype)]

import numpy as np

from ._common import unary

OP_TYPE = "Sqrt"

evaluate = unary(np.sqrt)

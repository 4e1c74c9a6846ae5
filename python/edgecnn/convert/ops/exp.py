import numpy as np

from ._common import unary

OP_TYPE = "Exp"

evaluate = unary(np.exp)

import numpy as np

from ._common import unary

OP_TYPE = "Reciprocal"

evaluate = unary(np.reciprocal)

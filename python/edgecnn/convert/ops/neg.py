import numpy as np

from ._common import unary

OP_TYPE = "Neg"

evaluate = unary(np.negative)

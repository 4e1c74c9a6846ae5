import numpy as np

from ._common import unary

OP_TYPE = "Abs"

evaluate = unary(np.abs)

import numpy as np

from ._common import unary

OP_TYPE = "Ceil"

evaluate = unary(np.ceil)

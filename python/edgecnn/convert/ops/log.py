import numpy as np

from ._common import unary

OP_TYPE = "Log"

evaluate = unary(np.log)

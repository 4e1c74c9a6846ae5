import numpy as np

from ._common import unary

OP_TYPE = "Floor"

evaluate = unary(np.floor)

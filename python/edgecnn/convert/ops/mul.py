import numpy as np

from ._common import binary

OP_TYPE = "Mul"

evaluate = binary(np.multiply)

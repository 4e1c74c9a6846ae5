import numpy as np

from ._common import binary

OP_TYPE = "Equal"

evaluate = binary(np.equal)

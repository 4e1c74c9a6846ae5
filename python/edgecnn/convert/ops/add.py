import numpy as np

from ._common import binary

OP_TYPE = "Add"

evaluate = binary(np.add)

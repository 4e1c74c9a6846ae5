import numpy as np

from ._common import binary

OP_TYPE = "Sub"

evaluate = binary(np.subtract)

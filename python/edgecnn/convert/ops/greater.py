import numpy as np

from ._common import binary

OP_TYPE = "Greater"

evaluate = binary(np.greater)

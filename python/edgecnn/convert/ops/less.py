import numpy as np

from ._common import binary

OP_TYPE = "Less"

evaluate = binary(np.less)

import numpy as np

from ._common import unary

OP_TYPE = "Mish"

evaluate = unary(lambda x: x * np.tanh(np.logaddexp(0, x)))

"""ReduceMax (fallback operator): folds on constants; otherwise explicit axes
and keepdims attributes (docs/format.md, "Fallback operators")."""

import numpy as np

from ._common import reduce_evaluator, reduce_normalize

OP_TYPE = "ReduceMax"

evaluate = reduce_evaluator(np.max)
normalize = reduce_normalize

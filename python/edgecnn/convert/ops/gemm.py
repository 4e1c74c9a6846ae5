OP_TYPE = "Gemm"

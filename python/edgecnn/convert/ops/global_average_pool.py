OP_TYPE = "GlobalAveragePool"

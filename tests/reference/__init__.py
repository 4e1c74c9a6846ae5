"""Plain numpy references of the pre- and post-processing: the C++ is tested against them."""

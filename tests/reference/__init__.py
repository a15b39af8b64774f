"""Plain-Python reference twins of the numba kernels, one module per kernel module."""

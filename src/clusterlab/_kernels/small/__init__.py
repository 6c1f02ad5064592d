"""numpy versions of the kernels a small k-means or Gaussian-mixture fit calls.

Each module mirrors the numba module of the same name: same function names,
arguments and outputs, the same float64 accumulations in the same order where
that is cheap (the labels are always the same; floats agree to rounding).
Whole-array numpy is slower than numba on large data but needs no compiler
runtime, so ``clusterlab._kernels.kernels`` sends only small calls here.
"""

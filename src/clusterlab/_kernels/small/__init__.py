"""numpy versions of the kernels a small k-means or Gaussian-mixture fit calls.

Each module mirrors the numba module of the same name: same function names,
arguments and outputs, the same float64 accumulations in the same order where
that is cheap. Floats agree to rounding, and so do the labels, except where two
centres are exactly equidistant from a point: the passes' BLAS products round
differently in numpy and numba, so such a tie can go either way.
Whole-array numpy is slower than numba on large data but needs no compiler
runtime, so ``clusterlab._kernels.kernels`` sends only small calls here.
"""

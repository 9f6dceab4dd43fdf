"""Settings for every test run from this repository, notebooks included.

BLAS runs on one thread (unless the environment already says otherwise):
the course's matrices are small, and splitting them over threads made
training 10 to 100 times slower on a busy 2-core machine. Set here, before
any test starts, the notebook kernels that nbval starts inherit it too.
"""

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ.setdefault(_name, "1")

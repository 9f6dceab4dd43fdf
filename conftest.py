"""Settings for every test run from this repository, notebooks included, wherever pytest is started.

BLAS runs on one thread (unless the environment already says otherwise):
the course's matrices are small, and splitting them over threads made
training 10 to 100 times slower on a busy 2-core machine. Set here, before
any test starts, the notebook kernels that nbval starts inherit it too.

pyproject.toml's addopts name the nbval sanitizer by a path relative to the
repository (notebooks/sanitize.cfg); started from another folder with paths
into the repository, pytest would look for it in that folder. A relative
path that does not exist from the current folder is taken from the
repository's root instead.
"""

import os
from pathlib import Path

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ.setdefault(_name, "1")


def pytest_configure(config):
    sanitize = getattr(config.option, "nbval_sanitize_with", None)
    if sanitize and not Path(sanitize).is_absolute() and not Path(sanitize).exists():
        from_root = config.rootpath / sanitize
        if from_root.exists():
            config.option.nbval_sanitize_with = str(from_root)

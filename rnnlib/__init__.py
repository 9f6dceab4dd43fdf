"""rnnlib: recurrent neural networks in numpy, written to be read beside the lecture.

    s_t = R(s_{t-1}, x_t)    cell.step(s_prev, x)
    y_t = O(s_t)             cell.output(s)

    run = unroll(cell, xs)                  xs (T, B, D) -> run.states (T+1, B, S), run.outputs (T, B, H)
    grads = bptt(cell, run, d_outputs)      grads.params, grads.xs, grads.states (dL/ds_t)

The package, as `ls rnnlib` shows it:

    core/        the math, numpy only: cells, unroll and bptt, bidirectional runs,
                 models of the usage patterns, layers, losses, optimisers, the training
                 loop, gradient checking
    lessons/     what serves the lessons, numpy only: data and tasks, the experiments
                 the notebooks run, and the logic behind each widget
    plotting/    figures (imports matplotlib)
    widgets/     interactive controls (imports ipywidgets)
    exercises/   the checkers of the notebooks' exercises

A demonstration's logic, drawing and widget share one name: lessons/unrolling.py,
plotting/unrolling.py, widgets/unrolling.py. Importing rnnlib imports numpy only.
"""

from rnnlib.core.activations import sigmoid, softmax
from rnnlib.core.bidirectional import BiGrads, BiRun, bidirectional_bptt, bidirectional_unroll
from rnnlib.core.cell import Cell
from rnnlib.core.elman import ElmanCell
from rnnlib.core.gradcheck import numerical_gradient, rel_error
from rnnlib.core.gru import GRUCell
from rnnlib.core.layers import Affine
from rnnlib.core.losses import mse, mse_backward, softmax_cross_entropy, softmax_cross_entropy_backward
from rnnlib.core.lstm import LSTMCell
from rnnlib.core.optim import SGD, Adam, clip_grad_norm, global_norm
from rnnlib.core.train import History, fit
from rnnlib.core.unroll import Grads, Run, bptt, unroll

__all__ = [
    "SGD",
    "Adam",
    "Affine",
    "BiGrads",
    "BiRun",
    "Cell",
    "ElmanCell",
    "GRUCell",
    "Grads",
    "History",
    "LSTMCell",
    "Run",
    "bidirectional_bptt",
    "bidirectional_unroll",
    "bptt",
    "clip_grad_norm",
    "fit",
    "global_norm",
    "mse",
    "mse_backward",
    "numerical_gradient",
    "rel_error",
    "sigmoid",
    "softmax",
    "softmax_cross_entropy",
    "softmax_cross_entropy_backward",
    "unroll",
]

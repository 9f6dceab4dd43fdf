"""rnnlib: recurrent neural networks in numpy, written to be read beside the lecture.

    s_t = R(s_{t-1}, x_t)    cell.step(s_prev, x)
    y_t = O(s_t)             cell.output(s)

    run = unroll(cell, xs)                  xs (T, B, D) -> run.states (T+1, B, S), run.outputs (T, B, H)
    grads = bptt(cell, run, d_outputs)      grads.params, grads.xs, grads.states (dL/ds_t)

More in the submodules: text (words to vectors), features (bag of words,
windows), patterns and bidirectional (the usage patterns), tasks and
long_range (seeded synthetic data), train (the training loop), analysis
(Jacobians and gradient norms), bptt_stepper and echo (notebook 5's
backward walk and task), cliff (the one-unit RNN's loss), lstm_anatomy
(notebook 7's look inside the LSTM), gradcheck; and plotting, widgets and
exercises for the notebooks (those import matplotlib and ipywidgets; this
package imports numpy only).
"""

from .activations import sigmoid, softmax
from .bidirectional import BiGrads, BiRun, bidirectional_bptt, bidirectional_unroll
from .cell import Cell
from .elman import ElmanCell
from .gradcheck import numerical_gradient, rel_error
from .layers import Affine
from .losses import mse, mse_backward, softmax_cross_entropy, softmax_cross_entropy_backward
from .lstm import LSTMCell
from .optim import SGD, Adam, clip_grad_norm, global_norm
from .train import History, fit
from .unroll import Grads, Run, bptt, unroll

__all__ = [
    "SGD",
    "Adam",
    "Affine",
    "BiGrads",
    "BiRun",
    "Cell",
    "ElmanCell",
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

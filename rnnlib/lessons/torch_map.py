"""From rnnlib to a framework: where each name of rnnlib lives in PyTorch.

Nothing here imports torch. NAMES is the map the notebook shows as a table;
`torch_state_dict(cell)` gives a cell's parameters under torch's names (as
numpy arrays, ready for torch.tensor), and `from_torch_state_dict` reads them
back. The tests load these into torch.nn.RNN, LSTM and GRU and check that
both compute the same outputs and gradients.

    torch_module_name(cell)        "torch.nn.RNN", "torch.nn.LSTM" or "torch.nn.GRU", with its arguments
    torch_state_dict(cell)         {"weight_ih_l0": W_x.T, "weight_hh_l0": W_s.T, "bias_ih_l0": ..., "bias_hh_l0": ...}
    from_torch_state_dict(state, cell)   set cell.params from such a dict (numpy arrays), in place

torch keeps two biases per layer, bias_ih on the input's share and bias_hh on
the recurrent share. For the Elman and the LSTM cell only their sum matters,
and rnnlib keeps one b: b = bias_ih + bias_hh. For the GRU the reset gate
multiplies the recurrent share, bias_hh included, so the two differ and
rnnlib keeps both: b = bias_ih, b_s = bias_hh.
"""

from __future__ import annotations

import numpy as np

from rnnlib.core.cell import Cell
from rnnlib.core.elman import ElmanCell
from rnnlib.core.gru import GRUCell
from rnnlib.core.lstm import LSTMCell

# (rnnlib, PyTorch): the first two columns of the notebook's table
NAMES = [
    ("ElmanCell(D, H)", "nn.RNN(D, H)"),
    ("LSTMCell(D, H)", "nn.LSTM(D, H)"),
    ("GRUCell(D, H)", "nn.GRU(D, H)"),
    ("W_x", "weight_ih_l0"),
    ("W_s", "weight_hh_l0"),
    ("b", "bias_ih_l0 + bias_hh_l0"),
    ("b_s", "bias_hh_l0"),
    ("xs", "input"),
    ("run.outputs", "output"),
    ("run.states[-1]", "h_n"),
    ("bptt(cell, run, d_outputs)", "loss.backward()"),
    ("grads.params[\"W_x\"]", "weight_ih_l0.grad.T"),
    ("bptt(..., truncate=k)", "h.detach()"),
    ("Adam(params, lr=0.01)", "torch.optim.Adam(module.parameters(), lr=0.01)"),
    ("clip_grad_norm(grads, 1.0)", "torch.nn.utils.clip_grad_norm_(module.parameters(), 1.0)"),
]


def torch_module_name(cell: Cell) -> str:
    """The torch module that computes the same layer as `cell`, with its arguments."""
    D, H = cell.input_size, cell.hidden_size
    if isinstance(cell, LSTMCell):
        return f"torch.nn.LSTM({D}, {H})"
    if isinstance(cell, GRUCell):
        return f"torch.nn.GRU({D}, {H})"
    if isinstance(cell, ElmanCell):
        if cell.nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"torch.nn.RNN has nonlinearity 'tanh' or 'relu' only, got {cell.nonlinearity!r}")
        return f"torch.nn.RNN({D}, {H}, nonlinearity={cell.nonlinearity!r})"
    raise ValueError(f"cell must be an ElmanCell, LSTMCell or GRUCell, got {type(cell).__name__}")


def torch_state_dict(cell: Cell) -> dict:
    """The cell's parameters under torch's names and in torch's shapes (numpy arrays, new copies).

    The Elman and LSTM cells put all of b into bias_ih_l0 and zeros into bias_hh_l0 (only their sum counts).
    """
    torch_module_name(cell)  # refuses a cell torch has no module for
    p = cell.params
    return {
        "weight_ih_l0": p["W_x"].T.copy(),  # (G, D)
        "weight_hh_l0": p["W_s"].T.copy(),  # (G, H)
        "bias_ih_l0": p["b"].copy(),
        "bias_hh_l0": p["b_s"].copy() if "b_s" in p else np.zeros_like(p["b"]),
    }


def from_torch_state_dict(state: dict, cell: Cell) -> Cell:
    """Set cell.params in place from torch's names (numpy arrays of torch's shapes); returns the cell."""
    torch_module_name(cell)
    p = cell.params
    expected = {"weight_ih_l0": p["W_x"].T.shape, "weight_hh_l0": p["W_s"].T.shape,
                "bias_ih_l0": p["b"].shape, "bias_hh_l0": p["b"].shape}  # fmt: skip
    for name, shape in expected.items():
        if name not in state:
            raise ValueError(f"state must hold {sorted(expected)}, got {sorted(state)}")
        if np.shape(state[name]) != shape:
            raise ValueError(f"state[{name!r}] must have shape {shape}, got shape {np.shape(state[name])}")
    p["W_x"][...] = np.asarray(state["weight_ih_l0"]).T
    p["W_s"][...] = np.asarray(state["weight_hh_l0"]).T
    if "b_s" in p:
        p["b"][...] = state["bias_ih_l0"]
        p["b_s"][...] = state["bias_hh_l0"]
    else:
        p["b"][...] = np.asarray(state["bias_ih_l0"]) + np.asarray(state["bias_hh_l0"])
    return cell

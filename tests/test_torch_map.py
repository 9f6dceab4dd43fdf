"""The map from rnnlib to PyTorch (rnnlib.lessons.torch_map), checked against torch where it is installed.

Each cell's parameters go into the torch module under the names the map
gives; then the outputs, the final state and, through loss.backward(), the
gradients must be rnnlib's (bptt) to 1e-10 in float64. Truncated bptt must
equal torch with the state detached every k steps. The map's rows must be
those of notebook 8's table. Without torch, the torch tests are skipped.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import rnnlib
from rnnlib import rel_error
from rnnlib.lessons import torch_map

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "08_beyond_the_lecture.ipynb"
TOL = 1e-10


def make(kind, D=3, H=4, seed=0):
    if kind == "lstm":
        cell = rnnlib.LSTMCell(D, H, seed=seed)
    elif kind == "gru":
        cell = rnnlib.GRUCell(D, H, seed=seed)
    else:
        cell = rnnlib.ElmanCell(D, H, nonlinearity=kind, seed=seed)
    rng = np.random.default_rng(seed + 1)
    for p in cell.params.values():  # every bias different from 0, so a misplaced one shows
        if p.ndim == 1:
            p[...] = rng.normal(size=p.shape)
    return cell


# ---- without torch ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["tanh", "relu", "lstm", "gru"])
def test_state_dict_round_trip(kind):
    cell = make(kind)
    state = torch_map.torch_state_dict(cell)
    G = cell.gate_size
    assert state["weight_ih_l0"].shape == (G, cell.input_size) and state["weight_hh_l0"].shape == (G, 4)
    other = torch_map.from_torch_state_dict(state, make(kind, seed=5))
    for name in cell.params:
        np.testing.assert_array_equal(other.params[name], cell.params[name])


def test_elman_and_lstm_read_the_sum_of_torchs_biases():
    cell = make("lstm")
    state = torch_map.torch_state_dict(cell)
    state["bias_hh_l0"] = np.full_like(state["bias_hh_l0"], 0.5)
    state["bias_ih_l0"] = state["bias_ih_l0"] - 0.5
    back = torch_map.from_torch_state_dict(state, make("lstm", seed=3))
    np.testing.assert_allclose(back.params["b"], cell.params["b"], rtol=0, atol=1e-15)


def test_cells_torch_has_no_module_for_are_refused():
    with pytest.raises(ValueError, match="'tanh' or 'relu' only"):
        torch_map.torch_state_dict(rnnlib.ElmanCell(2, 3, nonlinearity="sigmoid"))
    with pytest.raises(ValueError, match="must have shape"):
        torch_map.from_torch_state_dict(torch_map.torch_state_dict(make("gru", H=4)), make("gru", H=5))


def test_the_notebooks_table_has_every_row_of_the_map():
    # the notebook shows NAMES as a markdown table: each row's first two columns must be there, in one row
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    table = next(source for source in sources if "weight_ih_l0" in source)
    rows = [line for line in table.splitlines() if line.startswith("|")]
    for rnnlib_name, torch_name in torch_map.NAMES:
        assert any(f"`{rnnlib_name}`" in row and f"`{torch_name}`" in row for row in rows), rnnlib_name


# ---- against torch --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def torch():
    torch = pytest.importorskip("torch", reason="torch is not installed: the map is checked against it where it is")
    torch.set_num_threads(1)
    return torch


def torch_module(torch, cell):
    D, H = cell.input_size, cell.hidden_size
    name = torch_map.torch_module_name(cell)
    if "LSTM" in name:
        module = torch.nn.LSTM(D, H, dtype=torch.float64)
    elif "GRU" in name:
        module = torch.nn.GRU(D, H, dtype=torch.float64)
    else:
        module = torch.nn.RNN(D, H, nonlinearity=cell.nonlinearity, dtype=torch.float64)
    state = {k: torch.tensor(v, dtype=torch.float64) for k, v in torch_map.torch_state_dict(cell).items()}
    module.load_state_dict(state)  # strict: the names must be torch's own
    return module


@pytest.mark.parametrize("kind", ["tanh", "relu", "lstm", "gru"])
def test_the_map_gives_torchs_outputs_and_gradients(torch, kind):
    T, B, D, H = 5, 2, 3, 4
    cell = make(kind, D, H, seed=2)
    rng = np.random.default_rng(3)
    xs = rng.normal(size=(T, B, D))
    W = rng.normal(size=(T, B, H))
    run = rnnlib.unroll(cell, xs)
    grads = rnnlib.bptt(cell, run, W)

    module = torch_module(torch, cell)
    x = torch.tensor(xs, requires_grad=True)  # time-major: batch_first=False, torch's default
    out, final = module(x)
    (torch.tensor(W) * out).sum().backward()  # loss.backward() <-> bptt

    assert rel_error(out.detach().numpy(), run.outputs) < TOL
    h_T = (final[0] if kind == "lstm" else final)[0].detach().numpy()
    assert rel_error(h_T, cell.output(run.states[-1])) < TOL
    assert rel_error(x.grad.numpy(), grads.xs) < TOL
    assert rel_error(module.weight_ih_l0.grad.numpy().T, grads.params["W_x"]) < TOL
    assert rel_error(module.weight_hh_l0.grad.numpy().T, grads.params["W_s"]) < TOL
    assert rel_error(module.bias_ih_l0.grad.numpy(), grads.params["b"]) < TOL
    if kind == "gru":
        assert rel_error(module.bias_hh_l0.grad.numpy(), grads.params["b_s"]) < TOL


@pytest.mark.parametrize("kind", ["tanh", "lstm", "gru"])
def test_truncate_is_detaching_the_state(torch, kind):
    T, B, D, H, k = 7, 2, 3, 4, 3
    cell = make(kind, D, H, seed=4)
    rng = np.random.default_rng(5)
    xs = rng.normal(size=(T, B, D))
    W = rng.normal(size=(T, B, H))
    grads = rnnlib.bptt(cell, rnnlib.unroll(cell, xs), W, truncate=k)

    module = torch_module(torch, cell)
    x = torch.tensor(xs, requires_grad=True)
    state, outs = None, []
    for start in range(0, T, k):  # chunks of k steps; the state handed on is detached
        out, state = module(x[start : start + k], state)
        outs.append(out)
        state = tuple(s.detach() for s in state) if kind == "lstm" else state.detach()
    (torch.tensor(W) * torch.cat(outs)).sum().backward()

    assert rel_error(x.grad.numpy(), grads.xs) < TOL
    assert rel_error(module.weight_hh_l0.grad.numpy().T, grads.params["W_s"]) < TOL
    assert rel_error(module.weight_ih_l0.grad.numpy().T, grads.params["W_x"]) < TOL

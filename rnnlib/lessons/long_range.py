"""The experiment of notebooks 6 and 7: an RNN trained on the adding problem.

The adding problem is rnnlib.lessons.tasks.adding_problem: T steps of
x_t = (v_t, m_t), two marked values, and the target is their sum, read off
the last output p = y_T W + b (a Regressor). Always answering the mean does
E[(target - 1)^2] = 1/6 (ADDING_BASELINE_MSE); to beat it, the state must
carry the first marked value across at least T/2 steps.

    cell, head = make_model(kind, hidden_size, seed)     an Elman ("tanh", "relu", "identity") or "lstm" cell
    outcome = train_adding(T, kind, ...)                  trains it on fresh batches, tests on unseen sequences
"""


from __future__ import annotations

from rnnlib.core import _validate
from rnnlib.core.elman import ElmanCell
from rnnlib.core.layers import Affine
from rnnlib.core.losses import mse
from rnnlib.core.lstm import LSTMCell
from rnnlib.core.models import Regressor
from rnnlib.core.optim import SGD, Adam
from rnnlib.core.train import fit
from rnnlib.lessons.gradients import scale_to_spectral_radius
from rnnlib.lessons.outcome import Outcome
from rnnlib.lessons.tasks import ADDING_BASELINE_MSE, adding_problem

# ---- the experiment: train an RNN on the adding problem ---------------------


def make_model(kind: str, hidden_size: int, seed=0):
    """An RNN cell reading x_t = (v_t, m_t) and an Affine head p = y_T W + b.

    kind: "tanh", "relu", "identity" (an Elman RNN with that nonlinearity) or "lstm".
    """
    if kind == "lstm":
        cell = LSTMCell(input_size=2, hidden_size=hidden_size, seed=seed)
    else:
        cell = ElmanCell(input_size=2, hidden_size=hidden_size, nonlinearity=kind, seed=seed)
    head = Affine(hidden_size, 1, seed=None if seed is None else seed + 1)
    return cell, head


def train_adding(
    T: int,
    kind: str = "tanh",
    hidden_size: int = 32,
    steps: int = 2000,
    batch_size: int = 64,
    lr: float = 0.01,
    optimizer: str = "adam",
    clip_norm: float | None = 1.0,
    recurrent_radius: float | None = None,
    seed: int = 0,
    n_test: int = 1000,
    progress=True,
    stop_below: float | None = None,
) -> Outcome:
    """Train an RNN (kind: "tanh", "relu", "identity" or "lstm") on the adding problem with T steps.

    Every training step sees a fresh batch (seeded by seed and the step);
    the test set is n_test further sequences that training never sees, so
    the same arguments give the same numbers on every run. recurrent_radius
    rescales an Elman cell's W_s to that spectral radius before training.
    If the loss overflows (no clipping, too large a step), training stops
    there and outcome.history.diverged_at says at which step (the test MSE is then inf).
    stop_below: stop training once the mean training loss of the last 20 steps
    is below it (the batches are fresh, so that is a loss on unseen sequences);
    len(outcome.history.losses) is then the number of updates taken.
    The outcome's success level is a test MSE of at most 0.01; the baseline is 1/6.
    """
    T = _validate.positive_int("T", T)
    if optimizer not in ("adam", "sgd"):
        raise ValueError(f"optimizer must be 'adam' or 'sgd', got {optimizer!r}")
    model = Regressor(*make_model(kind, hidden_size, seed=seed))
    if recurrent_radius is not None:
        if kind == "lstm":
            raise ValueError("recurrent_radius applies to an Elman cell (a square W_s), not to kind='lstm'")
        model.cell.params["W_s"][...] = scale_to_spectral_radius(model.cell.params["W_s"], recurrent_radius)
    label = f"{kind} RNN, T = {T}" + ("" if clip_norm is None else f", clipped at {clip_norm:g}")
    return fit_adding(model, T, label, steps, batch_size, lr, optimizer, clip_norm, seed, n_test, progress, stop_below)


def fit_adding(
    model,
    T: int,
    label: str,
    steps: int = 2000,
    batch_size: int = 64,
    lr: float = 0.01,
    optimizer: str = "adam",
    clip_norm: float | None = 1.0,
    seed: int = 0,
    n_test: int = 1000,
    progress=True,
    stop_below: float | None = None,
    details: dict | None = None,
) -> Outcome:
    """Train any model that answers one number from a sequence (a Regressor, a stack, ...) on the adding problem.

    The recipe of train_adding, for every model of the course: fresh batches
    seeded by seed and the step, n_test test sequences that training never sees,
    Adam (or SGD) and clipping. Returns an Outcome: the test MSE against the 1/6
    of the mean predictor, success at 0.01.
    """
    T = _validate.positive_int("T", T)
    if optimizer not in ("adam", "sgd"):
        raise ValueError(f"optimizer must be 'adam' or 'sgd', got {optimizer!r}")
    opt = Adam(model.params, lr=lr) if optimizer == "adam" else SGD(model.params, lr=lr)

    def next_batch(step):
        return adding_problem(T, batch_size, seed=[seed, 0, step])

    history = fit(model.loss_and_grads, model.params, next_batch, steps, opt, clip_norm, progress, label, stop_below)
    test_mse = float("inf")
    if history.diverged_at is None:
        test = adding_problem(T, n_test, seed=[seed, 1])  # sequences that training never sees
        test_mse = mse(model.predict(test.xs), test.targets)
    return Outcome(model, history, "test MSE", test_mse, "mean predictor", ADDING_BASELINE_MSE, 0.01,
                   higher_is_better=False, details={"T": T, **(details or {})})  # fmt: skip

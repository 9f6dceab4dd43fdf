"""rnnlib against PyTorch on the CPU: forward + backward time of a whole sequence.

    python benchmarks/bench_rnn.py            # 5 rounds per case, a few minutes
    python benchmarks/bench_rnn.py --quick    # 2 short rounds, to see that it runs

What is timed, the same work on both sides:

    rnnlib:  run = rnnlib.unroll(cell, xs); grads = rnnlib.bptt(cell, run, d_outputs)
    torch:   out, _ = model(x); out.backward(d_out)   (model = nn.LSTM or nn.RNN(tanh),
             requires_grad on the parameters and on x, since bptt also returns dL/dxs)

Each measurement runs in a fresh process of its own (numpy's and torch's thread
pools slow each other down when they share one), the two sides alternate, and
each case is run for several rounds: a round's time is the median of its
calls, the table shows the median over rounds. Both sides get the same number
of threads (--threads, default 1 as in the course's Makefile): torch.set_num_threads,
and threadpoolctl (when installed) and OMP/OPENBLAS/MKL_NUM_THREADS for numpy.

Before timing, a small problem is run on both sides with the same weights and
the outputs and gradients are compared, so the table times the same function.
Each worker allocates and frees one 30 MiB array before it times anything, so
that glibc keeps freed memory for both sides alike (see worker(); --no-prime
leaves it out, and the faults/call columns show what each side paid).

Without torch the script times rnnlib alone and says so. To compare, install
torch for the benchmark only (it is not a requirement of the course):
pip install torch.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc

# name, model, T, B, D, H, dtype, target for rnnlib time / torch time, measure memory
CASES = [
    ("teaching", "lstm", 50, 32, 32, 128, "float64", 1.0, False),
    ("teaching", "elman", 50, 32, 32, 128, "float64", 1.0, False),
    ("teaching", "lstm", 50, 32, 32, 128, "float32", 2.5, False),
    ("teaching", "elman", 50, 32, 32, 128, "float32", 2.5, False),
    ("short", "lstm", 100, 1, 1, 32, "float64", 0.5, False),
    ("short", "elman", 100, 1, 1, 32, "float64", 0.5, False),
    ("long", "lstm", 1000, 16, 16, 64, "float64", 1.0, True),
    ("long", "elman", 1000, 16, 16, 64, "float64", 1.0, True),
]
SIDES = ("rnnlib", "torch")
PRIME_BYTES = 30 << 20  # just under the 32 MiB cap of glibc's dynamic mmap threshold
# Set on some machines because older OpenBLAS builds misbehave; see --unset-openblas-coretype.
OPENBLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


# ---- the worker: one side, one case, in a process of its own -----------------


def make_data(T, B, D, H, dtype):
    import numpy as np

    rng = np.random.default_rng(0)
    xs = rng.standard_normal((T, B, D)).astype(dtype)
    d_outputs = rng.standard_normal((T, B, H)).astype(dtype)
    return xs, d_outputs


def rnnlib_call(model, D, H, dtype):
    """The timed work on rnnlib's side, as a function of (xs, d_outputs)."""
    import rnnlib

    cls = rnnlib.LSTMCell if model == "lstm" else rnnlib.ElmanCell
    cell = cls(D, H, seed=0, dtype=dtype)

    def call(xs, d_outputs):
        run = rnnlib.unroll(cell, xs)
        return rnnlib.bptt(cell, run, d_outputs)

    return call


def torch_call(model, D, H, dtype):
    """The timed work on torch's side. Gradients are reset to None outside the timer."""
    import torch

    torch.manual_seed(0)
    net = torch.nn.LSTM(D, H) if model == "lstm" else torch.nn.RNN(D, H, nonlinearity="tanh")
    net = net.to(getattr(torch, dtype))
    tensors = {}

    def prepare(xs, d_outputs):
        for p in net.parameters():
            p.grad = None
        if "xs" not in tensors or tensors["xs_np"] is not xs:
            tensors.update(xs_np=xs, xs=torch.from_numpy(xs).requires_grad_(), d=torch.from_numpy(d_outputs))
        tensors["xs"].grad = None

    def call(xs, d_outputs):
        out, _ = net(tensors["xs"])
        out.backward(tensors["d"])

    return call, prepare


def peak_rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def worker(side, model, T, B, D, H, dtype, calls, warmup, threads, memory, prime):
    """Time `calls` calls after `warmup`; print one line of JSON."""
    import numpy as np

    info = {"threads": threads}
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        threadpool_limits = threadpool_info = None
    if side == "torch":
        import torch

        torch.set_num_threads(threads)
        info["torch_threads"] = torch.get_num_threads()
        call, prepare = torch_call(model, D, H, dtype)
    else:
        if threadpool_limits is not None:
            threadpool_limits(threads)
        call, prepare = rnnlib_call(model, D, H, dtype), (lambda xs, d: None)
    if threadpool_info is not None:
        info["pools"] = [
            {k: p.get(k) for k in ("internal_api", "version", "architecture", "num_threads", "threading_layer")}
            for p in threadpool_info()
        ]

    if prime:
        # glibc returns freed heap memory to the system once more than twice the
        # largest block it has ever unmapped lies free at the top, and a call
        # that then allocates again pays a page fault for every 4 KiB. A process
        # that has once freed a large array (a notebook kernel, soon) keeps the
        # memory instead. Both sides do this once, so neither pays for it.
        np.empty(PRIME_BYTES // 8)  # never written: it leaves the peak resident memory as it was
    if memory:
        # Warm up on a tiny problem (loads code, sets up pools) so that the peak
        # RSS delta below is the memory of the measured call itself.
        small = make_data(2, B, D, H, dtype)
        prepare(*small)
        call(*small)
    xs, d_outputs = make_data(T, B, D, H, dtype)
    if memory:
        before = peak_rss_kib()
        prepare(xs, d_outputs)
        call(xs, d_outputs)
        info["peak_rss_delta_mib"] = (peak_rss_kib() - before) / 1024
        if side == "rnnlib":
            # numpy reports its allocations to tracemalloc; torch's do not show there.
            tracemalloc.start()
            call(xs, d_outputs)
            info["tracemalloc_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
    times, faults = [], 0
    for i in range(warmup + calls):
        prepare(xs, d_outputs)
        faults_before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        start = time.perf_counter()
        call(xs, d_outputs)
        elapsed = time.perf_counter() - start
        if i >= warmup:
            times.append(elapsed)
            faults += resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults_before
    info["median_s"] = float(np.median(times))
    info["page_faults_per_call"] = faults / calls  # fresh memory the call touched, 4 KiB a page
    print(json.dumps(info))


def check_same_function(model, dtype):
    """Run a small problem on both sides with the same weights; return the largest relative difference."""
    import numpy as np
    import torch

    import rnnlib

    T, B, D, H = 7, 3, 4, 5
    xs, d_outputs = make_data(T, B, D, H, dtype)
    cell = rnnlib.LSTMCell(D, H, dtype=dtype) if model == "lstm" else rnnlib.ElmanCell(D, H, dtype=dtype)
    torch.manual_seed(0)
    net = torch.nn.LSTM(D, H) if model == "lstm" else torch.nn.RNN(D, H, nonlinearity="tanh")
    net = net.to(getattr(torch, dtype))
    # torch computes x W_ih^T + b_ih + h W_hh^T + b_hh: the transpose of rnnlib's W_x, W_s; one bias is the sum
    cell.params["W_x"][...] = net.weight_ih_l0.detach().numpy().T
    cell.params["W_s"][...] = net.weight_hh_l0.detach().numpy().T
    cell.params["b"][...] = (net.bias_ih_l0 + net.bias_hh_l0).detach().numpy()
    x = torch.from_numpy(xs).requires_grad_()
    out, _ = net(x)
    out.backward(torch.from_numpy(d_outputs))
    run = rnnlib.unroll(cell, xs)
    grads = rnnlib.bptt(cell, run, d_outputs)
    pairs = [
        (run.outputs, out.detach().numpy()),
        (grads.xs, x.grad.numpy()),
        (grads.params["W_x"], net.weight_ih_l0.grad.numpy().T),
        (grads.params["W_s"], net.weight_hh_l0.grad.numpy().T),
        (grads.params["b"], net.bias_ih_l0.grad.numpy()),
    ]
    return max(float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-30)) for a, b in pairs)


# ---- the driver -----------------------------------------------------------------


def child_env(threads, unset_openblas):
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    if unset_openblas:
        for var in OPENBLAS_OVERRIDES:
            env.pop(var, None)
    return env


def run_worker(args, side, case, calls, warmup):
    _, model, T, B, D, H, dtype, _, memory = case
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", side, model, str(T), str(B), str(D), str(H), dtype]
    cmd += ["--calls", str(calls), "--warmup", str(warmup), "--threads", str(args.threads)]
    if memory:
        cmd.append("--memory")
    if args.no_prime:
        cmd.append("--no-prime")
    env = child_env(args.threads, args.unset_openblas_coretype)
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"the {side} worker failed on {case}:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def have_torch() -> bool:
    done = subprocess.run([sys.executable, "-c", "import torch"], capture_output=True)
    return done.returncode == 0


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe_pools(pools) -> str:
    return "; ".join(
        f"{p['internal_api']} {p.get('version') or ''} {p.get('architecture') or ''} "
        f"{p.get('threading_layer') or ''} threads={p['num_threads']}".replace("  ", " ")
        for p in pools
    )


def print_machine(args, torch_ok, first):
    import numpy as np

    print(f"machine: {cpu_model()}, {os.cpu_count()} logical cores, {platform.system()} {platform.release()}")
    versions = f"python {platform.python_version()}, numpy {np.__version__}"
    if torch_ok:
        torch_version = subprocess.run(
            [sys.executable, "-c", "import torch; print(torch.__version__)"], capture_output=True, text=True
        ).stdout.strip()
        versions += f", torch {torch_version}"
    print(versions)
    for side in SIDES:
        if side in first and "pools" in first[side]:
            print(f"{side} process thread pools (threadpoolctl): {describe_pools(first[side]['pools'])}")
        elif side in first:
            print(f"{side} process: threadpoolctl not installed, threads set by OMP/OPENBLAS/MKL_NUM_THREADS only")
    if "torch" in first:
        print(f"torch.get_num_threads() = {first['torch']['torch_threads']}")
    overrides = {var: os.environ[var] for var in OPENBLAS_OVERRIDES if var in os.environ}
    if overrides:
        action = "removed from the workers' environment" if args.unset_openblas_coretype else "kept"
        print(f"environment: {overrides} ({action})")
    else:
        print(f"environment: none of {', '.join(OPENBLAS_OVERRIDES)} is set")
    print(f"threads per side: {args.threads}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 short rounds instead of 5")
    parser.add_argument("--rounds", type=int, default=None, help="processes per case and side (default 5, quick 2)")
    parser.add_argument("--threads", type=int, default=1, help="threads for each side (default 1, as in the Makefile)")
    parser.add_argument("--only", default="", help="run only cases whose 'name model dtype' contains this text")
    parser.add_argument(
        "--unset-openblas-coretype",
        action="store_true",
        help=f"remove {' and '.join(OPENBLAS_OVERRIDES)} from the workers' environment "
        "(the BLAS kernel that then runs is printed)",
    )
    parser.add_argument(
        "--no-prime",
        action="store_true",
        help="do not allocate and free one 30 MiB array in each worker before timing (see worker())",
    )
    parser.add_argument("--worker", nargs=7, help=argparse.SUPPRESS)
    parser.add_argument("--calls", type=int, default=10, help=argparse.SUPPRESS)
    parser.add_argument("--warmup", type=int, default=3, help=argparse.SUPPRESS)
    parser.add_argument("--memory", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--check", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        side, model, T, B, D, H, dtype = args.worker
        sizes = int(T), int(B), int(D), int(H)
        worker(side, model, *sizes, dtype, args.calls, args.warmup, args.threads, args.memory, not args.no_prime)
        return
    if args.check:
        print(json.dumps(check_same_function(*args.check)))
        return

    rounds = args.rounds or (2 if args.quick else 5)
    calls, warmup = (3, 1) if args.quick else (10, 3)
    cases = [c for c in CASES if args.only in f"{c[0]} {c[1]} {c[6]}"]
    torch_ok = have_torch()
    sides = SIDES if torch_ok else ("rnnlib",)
    if not torch_ok:
        print("torch is not installed: timing rnnlib alone (pip install torch, for the benchmark only, to compare)")
    else:
        env = child_env(args.threads, args.unset_openblas_coretype)
        for model, dtype in [("lstm", "float64"), ("elman", "float64"), ("lstm", "float32")]:
            cmd = [sys.executable, os.path.abspath(__file__), "--check", model, dtype]
            done = subprocess.run(cmd, capture_output=True, text=True, env=env)
            if done.returncode != 0:
                raise SystemExit(f"the comparison with torch failed:\n{done.stderr}")
            diff = json.loads(done.stdout.strip().splitlines()[-1])
            tol = 1e-10 if dtype == "float64" else 1e-4
            verdict = "same function" if diff <= tol else "DIFFERENT RESULTS"
            print(f"check {model} {dtype}: outputs and gradients differ from torch's by {diff:.1e} ({verdict})")
            if diff > tol:
                raise SystemExit("rnnlib and torch disagree: the timings would not compare the same computation")

    results = {case: {side: [] for side in sides} for case in cases}
    first = {}
    for r in range(rounds):
        for case in cases:
            # alternate which side goes first, so that neither always follows the other
            for side in sides if r % 2 == 0 else sides[::-1]:
                out = run_worker(args, side, case, calls, warmup)
                results[case][side].append(out)
                first.setdefault(side, out)
        print(f"round {r + 1} of {rounds} done", file=sys.stderr, flush=True)

    print_machine(args, torch_ok, first)
    print(f"rounds: {rounds} processes per case and side, each the median of {calls} calls after {warmup} warm-up")
    if args.no_prime:
        print("memory: not primed (--no-prime): each worker's allocator starts fresh")
    else:
        print(f"memory: each worker allocated and freed {PRIME_BYTES >> 20} MiB before timing (see worker())")
    print()
    header = f"{'case':<9} {'model':<6} {'T,B,D,H':<15} {'dtype':<8} {'rnnlib ms':>10} {'torch ms':>10}"
    header += f" {'ratio':>7} {'target':>7}  result  {'faults/call rnnlib, torch':>25}"
    print(header)
    print("-" * len(header))
    for case in cases:
        name, model, T, B, D, H, dtype, target, _ = case
        ms = {side: 1e3 * statistics.median(o["median_s"] for o in results[case][side]) for side in sides}
        faults = ", ".join(
            f"{statistics.median(o['page_faults_per_call'] for o in results[case][side]):.0f}" for side in sides
        )
        line = f"{name:<9} {model:<6} {f'{T},{B},{D},{H}':<15} {dtype:<8} {ms['rnnlib']:>10.2f}"
        if torch_ok:
            ratio = ms["rnnlib"] / ms["torch"]
            line += f" {ms['torch']:>10.2f} {ratio:>7.2f} {f'<= {target}':>7}  {'PASS' if ratio <= target else 'MISS'}"
        else:
            line += f" {'-':>10} {'-':>7} {f'<= {target}':>7}  -   "
        line += f"  {faults:>25}"
        print(line)
    memory_cases = [c for c in cases if c[8]]
    if memory_cases:
        print()
        print("peak memory of one forward + backward (median over rounds):")
        for case in memory_cases:
            name, model, T, B, D, H, dtype = case[:7]
            rn = results[case]["rnnlib"]
            text = (
                f"  {name} {model} {T},{B},{D},{H} {dtype}: rnnlib tracemalloc peak "
                f"{statistics.median(o['tracemalloc_peak_mib'] for o in rn):.1f} MiB, "
                f"rnnlib peak-RSS delta {statistics.median(o['peak_rss_delta_mib'] for o in rn):.1f} MiB"
            )
            if torch_ok:
                tr = results[case]["torch"]
                text += f", torch peak-RSS delta {statistics.median(o['peak_rss_delta_mib'] for o in tr):.1f} MiB"
            print(text)
        print(
            "  (peak-RSS delta: growth of the process's peak resident memory during its first full-size call,"
            " after a warm-up on T=2; tracemalloc sees numpy's allocations but not torch's)"
        )


if __name__ == "__main__":
    main()

"""Serve the course's demonstrations for a projector: `make demo`.

    python tools/demo.py                  # build build/demo/, serve it on 127.0.0.1, a free port
    python tools/demo.py --port 8866      # a port of your choice
    python tools/demo.py --no-preheat     # run each page's cells when it is opened (slower pages, less memory)

Builds one page per lesson from the lesson notebooks (tools/make_demos.py) and
serves them with Voila, on this computer only (127.0.0.1), then prints the
address to open. Voila hides the code and shows the pages' outputs and
widgets.

Pages appear at once because Voila keeps one kernel per page "preheated": it
runs the page's cells (training included) in the background, before anyone
asks for the page, and hands over the finished kernel when the page is opened;
then it prepares the next one. So the first minutes after starting are spent
preparing every page (the address is printed when they are ready). Kernels
of closed pages are shut down when the page closes, and any left idle and
unconnected (a browser that crashed) are culled after CULL_IDLE seconds.

Ctrl-C or SIGTERM stops Voila and every kernel it started; if Voila does not
stop within a few seconds, it and its kernels are killed.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_demos  # noqa: E402  (a sibling script, not a package)

CULL_IDLE = 600  # seconds an unconnected, idle kernel is kept before it is culled
STOP_GRACE = 10  # seconds Voila gets to stop by itself before it is killed

# One BLAS thread in every kernel, as the Makefile sets: the course's matrices are small.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ.setdefault(_name, "1")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


try:
    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
except ImportError:  # only Voila's own process needs it
    AsyncMappingKernelManager = object


class PatientKernelManager(AsyncMappingKernelManager):
    """Culls a kernel only once it has been without a page for cull_idle_timeout seconds.

    jupyter_server culls a kernel by the time since its last message. A kernel that Voila prepared
    for a page and kept waiting for longer than that was culled in the second between being handed
    to the page and the page connecting to it (seen in the test: the page never drew its widget).
    Here the clock starts when the culler first finds the kernel without a page and out of Voila's
    pool of prepared kernels. Voila checks its pool before it asks this class, but a kernel whose
    preparation is still running is not yet known to be in the pool: while any is, no clock starts
    for a kernel that no page has ever connected to.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._alone_since: dict[str, float] = {}
        self._ever_connected: set[str] = set()

    def _pool_is_filling(self) -> bool:
        pools = getattr(self, "_pools", {})  # Voila's prepared kernels, per page
        return any(not task.done() for pool in pools.values() for task in pool)

    async def cull_kernel_if_idle(self, kernel_id):
        if kernel_id not in self._kernels:
            self._alone_since.pop(kernel_id, None)
            return
        if self._kernel_connections.get(kernel_id, 0):
            self._ever_connected.add(kernel_id)
            self._alone_since.pop(kernel_id, None)
            return
        if kernel_id not in self._ever_connected and self._pool_is_filling():
            return  # it may be one being prepared
        since = self._alone_since.setdefault(kernel_id, time.monotonic())
        if time.monotonic() - since < self.cull_idle_timeout:
            return
        await super().cull_kernel_if_idle(kernel_id)
        if kernel_id not in self._kernels:
            self._alone_since.pop(kernel_id, None)
            self._ever_connected.discard(kernel_id)


def voila_command(folder: Path, port: int, preheat: bool, cull_idle: int = CULL_IDLE) -> list[str]:
    """The Voila command line: localhost only, no browser, one preheated kernel per page, culling."""
    tools = str(Path(__file__).resolve().parent)
    run_voila = "import sys; sys.path.insert(0, sys.argv.pop(1)); from voila.app import main; sys.exit(main())"
    cmd = [
        sys.executable, "-c", run_voila, tools, str(folder),
        "--no-browser", "--Voila.ip=127.0.0.1", f"--Voila.port={port}", "--Voila.port_retries=0",
        "--strip_sources=True", "--show_tracebacks=True", "--theme=light",
        f"--MappingKernelManager.cull_idle_timeout={cull_idle}",
        f"--MappingKernelManager.cull_interval={max(1, min(60, cull_idle // 4))}",
        "--MappingKernelManager.cull_connected=False",
        "--VoilaConfiguration.multi_kernel_manager_class=demo.PatientKernelManager",
        # A page shuts its kernel down when it closes, by a POST that carries no XSRF token (Voila
        # sets no _xsrf cookie), which the server refused. The server listens on 127.0.0.1 only,
        # has no token to steal, and runs no code a request sends (Voila forwards no execute
        # requests): without the check, a page that closes stops its kernel at once.
        '--Voila.tornado_settings={"disable_check_xsrf": True}',
    ]  # fmt: skip
    if preheat:
        cmd += ["--preheat_kernel=True", "--pool_size=1"]
    return cmd


def descendants(pid: int) -> list[int]:
    """Every process below pid (Voila's kernels run in sessions of their own, so a process group misses them)."""
    try:
        table = subprocess.run(["ps", "-A", "-o", "pid=,ppid="], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return []
    children: dict[int, list[int]] = {}
    for line in table.splitlines():
        child, parent = (int(x) for x in line.split())
        children.setdefault(parent, []).append(child)
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    """Whether the process runs (a zombie, which only waits to be reaped, does not)."""
    stat = Path(f"/proc/{pid}/stat")
    if Path("/proc").is_dir():
        try:
            return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Server:
    """Voila as a child process that is always stopped, with its kernels, whatever happens."""

    def __init__(self, cmd: list[str], log=None):
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT if log else None, start_new_session=True)

    def stop(self, grace: float = STOP_GRACE) -> str:
        """SIGTERM, then SIGINT (Voila's Ctrl-C path), then SIGKILL for Voila and every kernel it left.

        Returns what happened, in a few words.
        """
        if self.proc.poll() is not None:
            return f"Voila had exited (status {self.proc.returncode})"
        start = time.monotonic()
        kernels = descendants(self.proc.pid)
        how = "stopped"
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                self.proc.send_signal(sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(timeout=grace / 2)
                break
            except subprocess.TimeoutExpired:
                continue
        if self.proc.poll() is None:
            kernels = sorted(set(kernels) | set(descendants(self.proc.pid)))
            self.proc.kill()
            self.proc.wait()
            how = "was killed"
        left = [pid for pid in kernels if alive(pid)]
        for pid in left:  # a kernel that outlived Voila
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        seconds = time.monotonic() - start
        if left:
            return f"Voila {how} in {seconds:.1f} s; {len(left)} of its {len(kernels)} kernels were killed"
        return f"Voila {how} in {seconds:.1f} s, with its {len(kernels)} kernels"


def cpu_seconds(pids: list[int]) -> float:
    """The CPU time the processes have used so far (user + system)."""
    total = 0.0
    if Path("/proc").is_dir():
        ticks = os.sysconf("SC_CLK_TCK")
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        return total
    out = subprocess.run(["ps", "-o", "time=", "-p", ",".join(map(str, pids))], capture_output=True, text=True).stdout
    for line in out.split():  # [[dd-]hh:]mm:ss
        days, _, clock = line.rpartition("-")
        seconds = 0.0
        for part in clock.split(":"):
            seconds = 60 * seconds + float(part)
        total += seconds + 86400 * int(days or 0)
    return total


def wait_for_server(base: str, server: Server, timeout: float) -> None:
    """Wait until Voila answers on its port."""
    deadline = time.monotonic() + timeout
    while True:
        if server.proc.poll() is not None:
            raise RuntimeError(f"Voila exited with status {server.proc.returncode} before it served a page")
        try:
            urllib.request.urlopen(f"{base}/voila/api/contents/", timeout=2)
            return
        except (OSError, urllib.error.URLError):
            if time.monotonic() > deadline:
                raise RuntimeError(f"Voila did not answer on {base} within {timeout:.0f} s") from None
            time.sleep(0.5)


def wait_for_preheated(server: Server, pages: int, timeout: float, quiet: float = 3.0) -> float | None:
    """Wait until a kernel per page has started and all of them have gone quiet (their cells have run).

    Returns the seconds waited, or None on timeout. Quiet means less than 0.1 s of CPU among
    all kernels over `quiet` seconds: each kernel is then waiting for its page to be opened.
    """
    start = time.monotonic()
    last = None
    while time.monotonic() - start < timeout:
        if server.proc.poll() is not None:
            return None
        kernels = descendants(server.proc.pid)
        used = cpu_seconds(kernels)
        if len(kernels) >= pages and last is not None and used - last < 0.1:
            return time.monotonic() - start
        last = used if len(kernels) >= pages else None
        time.sleep(quiet)
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--out", type=Path, default=make_demos.DEFAULT_OUT, help="where the pages are built")
    parser.add_argument("--no-preheat", action="store_true", help="run a page's cells when it is opened, not before")
    parser.add_argument(
        "--cull-idle", type=int, default=CULL_IDLE, help=f"seconds before an abandoned kernel is culled ({CULL_IDLE})"
    )
    args = parser.parse_args()

    try:
        pages = make_demos.build(args.out)
    except make_demos.DemoSpecError as err:
        print(f"demo: {err}", file=sys.stderr)
        return 1
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = args.out / "voila.log"
    log = open(log_path, "w")  # noqa: SIM115 - open while the server runs
    server = Server(voila_command(args.out, port, not args.no_preheat, args.cull_idle), log=log)

    def on_signal(signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    try:
        try:
            wait_for_server(base, server, timeout=120)
        except RuntimeError as err:
            log.flush()
            tail = "".join(log_path.read_text().splitlines(keepends=True)[-20:])
            print(f"demo: {err}. The end of {log_path}:\n{tail}", file=sys.stderr)
            return 1
        print(f"\nThe demonstrations, on this computer only: {base}/voila/render/index.ipynb", flush=True)
        for page in pages[:-1]:
            print(f"  {base}/voila/render/{page.name}")
        print(f"Ctrl-C stops the server and its kernels. Voila's log: {log_path}\n", flush=True)
        if not args.no_preheat:
            print("Preparing every page (running its cells, training included) ...", flush=True)
            waited = wait_for_preheated(server, len(pages), timeout=900)
            if waited is not None:
                print(f"All {len(pages)} pages are ready ({waited:.0f} s): each opens at once.", flush=True)
            else:
                print("Some pages are still being prepared; they show their cells as these finish.", flush=True)
        server.proc.wait()
        return server.proc.returncode or 0
    except KeyboardInterrupt:
        print("\nstopping the demonstrations ...", flush=True)
        return 0
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # a second Ctrl-C must not leave kernels behind
        print(server.stop(), flush=True)
        log.close()


if __name__ == "__main__":
    sys.exit(main())

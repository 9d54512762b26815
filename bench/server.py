"""Starting an app under gunicorn on loopback and reading its worker's CPU time from /proc."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

TICKS = os.sysconf("SC_CLK_TCK")
ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Gunicorn:
    """One gunicorn master with `workers` workers; the same settings for every app compared."""

    def __init__(
        self,
        app_spec: str,
        env: dict[str, str],
        workers: int = 1,
        threads: int = 4,
        keepalive: int = 5,
        root: Path = ROOT,  # the checkout whose code is served (bench.compare serves two)
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--worker-class",
                "gthread",
                # Longer than the load run's think times, so idle browsers keep their connection.
                "--keep-alive",
                str(keepalive),
                "--log-level",
                "warning",
                app_spec,
            ],
            cwd=root,
            env={**os.environ, **env},
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/health", timeout=10).status_code < 500:
                    return
            except requests.RequestException:  # not listening yet, or the workers still booting
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{app_spec} did not start")

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def cpu_seconds(self) -> float:
        """User + system CPU of the workers (not the master, which only supervises).

        Read to the nanosecond from each thread's scheduler statistics: /proc/<pid>/stat counts in
        clock ticks (10 ms), 3–5 % of the CPU of a batch of the bare page. A worker's threads live
        as long as it does, so none of their time is lost with them.
        """
        total = 0.0
        for pid in self.worker_pids():
            try:
                tasks = list(Path(f"/proc/{pid}/task").iterdir())
                total += sum(int((task / "schedstat").read_text().split()[0]) for task in tasks) / 1e9
            except (FileNotFoundError, ProcessLookupError):  # a kernel without schedstat
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / TICKS
        return total

    def __enter__(self) -> Gunicorn:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()

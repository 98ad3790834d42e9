"""Real processes for fault tests and the fault benchmark: a Redis server of their own (so it
can be stopped without touching anyone else's) and Celery worker processes (so they can be
killed). Linux only: children are read from /proc."""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

from tests.network import closed_port

ROOT = Path(__file__).resolve().parents[1]


def wait_until(
    condition, timeout: float = 30.0, interval: float = 0.05, what: str = "", retry_on=()
):
    """Poll `condition` until it is true (and return it); errors of `retry_on` count as false."""
    deadline = time.monotonic() + timeout

    def check():
        try:
            return condition()
        except retry_on:
            return False

    while not (result := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s{': ' + what if what else ''}")
        time.sleep(interval)
    return result


class RedisServer:
    """redis-server on a free port, without persistence: stopping it loses what it held, as a
    broker that crashed does."""

    def __init__(self):
        self.port = closed_port()
        self.process: subprocess.Popen | None = None
        self.directory = tempfile.mkdtemp(prefix="zlogin-redis-")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @staticmethod
    def available() -> bool:
        return shutil.which("redis-server") is not None

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(
            [
                "redis-server",
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", self.directory),
                *("--logfile", os.path.join(self.directory, "redis.log")),
            ]
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)

        def answers():
            try:
                return client.ping()
            except redis.RedisError:
                return False

        wait_until(answers, 10, what="redis-server")
        return self

    def freeze(self) -> None:
        """Still accepting connections, answering nothing (SIGSTOP), as a hung server does."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def restart(self) -> None:
        """Back on the same port, empty."""
        self.kill()
        self.start()

    def kill(self) -> None:
        """Gone at once (SIGKILL), with every queued and unacknowledged message."""
        if self.process is not None:
            self.thaw()
            self.process.kill()
            self.process.wait()
            self.process = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.kill()
        shutil.rmtree(self.directory, ignore_errors=True)


class CeleryWorker:
    """`celery worker --pool=prefork` in its own process with the given environment."""

    def __init__(self, env: dict[str, str], *, concurrency: int = 1, name: str = "worker"):
        self.env = {**os.environ, **env}
        self.concurrency = concurrency
        self.name = name
        self.process: subprocess.Popen | None = None
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (kept open while it runs)
            prefix=f"zlogin-{name}-", suffix=".log", delete=False
        )

    def start(self) -> "CeleryWorker":
        start_offset = self.log.tell()
        self.process = subprocess.Popen(
            [
                sys.executable,
                *("-m", "celery", "-A", "zlogin", "worker", "--pool=prefork"),
                f"--concurrency={self.concurrency}",
                *("--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"),
                f"--hostname={self.name}-{os.getpid()}-{time.monotonic_ns()}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(lambda: "ready." in self.output(start_offset), 60, what=f"{self.name} ready")
        return self

    def output(self, offset: int = 0) -> str:
        with open(self.log.name, errors="replace") as log:
            log.seek(offset)
            return log.read()

    def pool_pids(self) -> list[int]:
        """The pool processes (children of the main process)."""
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except FileNotFoundError:
            return []
        return [int(child) for child in children]

    def kill_pool_process(self, *, talking_from_port: int | None = None) -> int:
        """SIGKILL a pool process (as the out-of-memory killer would): the one whose TCP
        connection has this local port, or the first. The main process starts another."""
        pids = wait_until(self.pool_pids, 10, what="a pool process")
        victim = pids[0]
        if talking_from_port is not None:
            victim = wait_until(
                lambda: _owner_of_local_port(pids, talking_from_port), 5, what="the sender"
            )
        os.kill(victim, signal.SIGKILL)
        return victim

    def kill(self) -> None:
        """SIGKILL the main process and its pool: the whole worker gone at once."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = None

    def stop(self) -> None:
        """Warm shutdown (SIGTERM): the task at hand is finished first."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
        self.process = None

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc, traceback):
        self.stop()
        if exc_type is not None:  # a failing test shows what the worker said
            sys.stderr.write(f"--- {self.name} log ---\n{self.output()[-20000:]}\n")
        self.log.close()
        os.unlink(self.log.name)


def _owner_of_local_port(pids: list[int], port: int) -> int | None:
    """Which of these processes holds the TCP socket with this local port (/proc/net/tcp)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError), open(table) as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(f"socket:[{fields[9]}]")
    for pid in pids:
        with contextlib.suppress(FileNotFoundError, PermissionError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(FileNotFoundError):
                    if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                        return pid
    return None

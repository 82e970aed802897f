"""The marketplace install test: requirements into a venv, then serverless `python -m main`.

The marketplace CI installs `requirements.txt` into a new venv, starts the plugin with
`INSTALL_METHOD=serverless`, waits at most 20 s for `Serving Flask app` on the process's STDOUT and
then expects `GET /` → 200 or 404 (`validator/test-plugin-install.py` in
https://github.com/langgenius/dify-marketplace-toolkit). Creating the venv is the slow part, so it
is cached per requirements.txt digest; the plugin itself always starts from a freshly unpacked copy
of the package, never from the repository.
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

logger = logging.getLogger(__name__)

MARKETPLACE_START_SECONDS = 20.0  # the marketplace's limit
START_TIMEOUT_SECONDS = 60.0  # our hard limit: slow machines get slack, the report shows the time
VENV_TIMEOUT_SECONDS = 900.0
STOP_TIMEOUT_SECONDS = 10.0
POLL_INTERVAL_SECONDS = 0.1
HTTP_TIMEOUT_SECONDS = 2.0
READY_LOG_LINE = "Serving Flask app"
BANNER_WAIT_SECONDS = 2.0  # after /health answers, for the reader thread to see the banner
VENV_PREFIX = ".install-test-venv-"
VENV_STAMP = ".install-test-complete"
OUTPUT_TAIL_LINES = 30


@dataclass(frozen=True)
class InstallTestResult:
    """Outcome of one install test; `start_seconds` is spawn → ready (None if never ready)."""

    ok: bool
    detail: str
    start_seconds: float | None
    venv_seconds: float
    venv_cached: bool


def base_interpreter() -> str:
    """The interpreter behind the running venv (a venv made from a venv's python is fragile)."""
    return str(getattr(sys, "_base_executable", None) or sys.executable)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class VenvError(Exception):
    """Creating the install-test venv failed; the message carries the tail of the tool's output."""


def _run_quietly(command: list[str], what: str) -> None:
    """Run a setup step, keeping its chatter out of the report unless it fails."""
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=VENV_TIMEOUT_SECONDS, check=False
        )
    except (subprocess.TimeoutExpired, OSError) as exc:
        raise VenvError(f"{what} failed: {exc}") from exc
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-OUTPUT_TAIL_LINES:])
        raise VenvError(f"{what} exited with status {done.returncode}:\n{tail}")


def ensure_venv(requirements: bytes, cache_dir: Path) -> tuple[Path, bool, float]:
    """(venv python, was cached, seconds spent) for a venv with these requirements installed.

    The cache key is the requirements digest; a stamp written last (holding the base interpreter)
    marks a complete venv, so an interrupted build is redone instead of reused.
    """
    digest = hashlib.sha256(requirements).hexdigest()
    venv = cache_dir / f"{VENV_PREFIX}{digest[:16]}"
    python = venv / "bin" / "python"
    interpreter = base_interpreter()
    stamp = venv / VENV_STAMP
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == interpreter and python.exists():
        return python, True, 0.0
    started = time.monotonic()
    if venv.exists():
        shutil.rmtree(venv)
    cache_dir.mkdir(parents=True, exist_ok=True)
    logger.info("install test: creating a venv with %s", interpreter)
    _run_quietly([interpreter, "-m", "venv", str(venv)], "python -m venv")
    with tempfile.TemporaryDirectory() as tmp:
        req_file = Path(tmp) / "requirements.txt"
        req_file.write_bytes(requirements)
        logger.info("install test: pip install -r requirements.txt")
        _run_quietly(
            [str(python), "-m", "pip", "install", "--quiet", "-r", str(req_file)],
            "pip install -r requirements.txt",
        )
    stamp.write_text(interpreter, encoding="utf-8")
    return python, False, time.monotonic() - started


def _get_status(port: int, path: str) -> int | None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=HTTP_TIMEOUT_SECONDS)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    except OSError:
        return None
    finally:
        conn.close()


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_plugin(python: Path, plugin_dir: Path) -> tuple[bool, str, float | None]:
    """Start `python -m main` in serverless mode; (ok, detail, seconds until ready)."""
    port = free_port()
    env = {
        k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}
    }
    env.update(
        INSTALL_METHOD="serverless",
        SERVERLESS_HOST="127.0.0.1",
        SERVERLESS_PORT=str(port),
        PYTHONUNBUFFERED="1",
    )
    output: list[str] = []
    banner = threading.Event()  # the marketplace watches stdout only
    started = time.monotonic()
    process = subprocess.Popen(
        [str(python), "-m", "main"],
        cwd=plugin_dir,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )

    def drain(stream: IO[bytes] | None, *, is_stdout: bool) -> None:
        assert stream is not None
        for raw in stream:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            output.append(line)
            if is_stdout and READY_LOG_LINE in line:
                banner.set()

    readers = [
        threading.Thread(target=drain, args=(process.stdout,), kwargs={"is_stdout": True}),
        threading.Thread(target=drain, args=(process.stderr,), kwargs={"is_stdout": False}),
    ]
    for reader in readers:
        reader.daemon = True
        reader.start()
    try:
        ready_after: float | None = None
        while time.monotonic() - started < START_TIMEOUT_SECONDS:
            if process.poll() is not None:
                break
            if _get_status(port, "/health") == 200:
                ready_after = time.monotonic() - started
                break
            time.sleep(POLL_INTERVAL_SECONDS)
        if ready_after is None:
            for reader in readers:
                reader.join(timeout=1.0)
            tail = "\n".join(output[-OUTPUT_TAIL_LINES:])
            exit_code = process.poll()
            reason = (
                f"exited with status {exit_code}"
                if exit_code is not None
                else f"did not answer GET /health within {START_TIMEOUT_SECONDS:.0f} s"
            )
            return False, f"plugin {reason}; output:\n{tail}", None
        root_status = _get_status(port, "/")
        if root_status not in (200, 404):
            return False, f"GET / answered {root_status}, expected 200 or 404", ready_after
        if not banner.wait(BANNER_WAIT_SECONDS):
            return (
                False,
                f"no {READY_LOG_LINE!r} line on stdout: the marketplace's install test waits "
                "for it and fails",
                ready_after,
            )
        return True, f"ready in {ready_after:.2f} s, GET / → {root_status}", ready_after
    finally:
        _stop(process)
        for reader in readers:
            reader.join(timeout=STOP_TIMEOUT_SECONDS)


def run_install_test(pkg: Path, requirements: bytes, cache_dir: Path) -> InstallTestResult:
    """Install the requirements in a (cached) venv; start the plugin from a fresh unpack of pkg."""
    try:
        python, cached, venv_seconds = ensure_venv(requirements, cache_dir)
    except (VenvError, OSError) as exc:
        return InstallTestResult(False, f"creating the venv failed: {exc}", None, 0.0, False)
    with tempfile.TemporaryDirectory(prefix="install-test-") as tmp:
        plugin_dir = Path(tmp) / "plugin"
        with zipfile.ZipFile(pkg) as archive:
            archive.extractall(plugin_dir)  # names were checked for traversal by the validator
        try:
            ok, detail, seconds = start_plugin(python, plugin_dir)
        except OSError as exc:
            detail = f"could not start the plugin process: {exc}"
            return InstallTestResult(False, detail, None, venv_seconds, cached)
    return InstallTestResult(ok, detail, seconds, venv_seconds, cached)

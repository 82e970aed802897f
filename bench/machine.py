"""What the figures were measured on, and whether kernel-level RTT emulation was possible here."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import os
import platform
import shutil
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

PROBE_TIMEOUT_SECONDS = 10.0
NETEM_COMMAND = ("tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay", "25ms")
PACKAGES = ("dify_plugin", "plivo", "requests", "urllib3", "gevent")


@dataclass(frozen=True)
class Machine:
    date: str
    cpu: str
    cores: int
    memory: str
    python: str
    kernel: str
    openssl: str
    packages: dict[str, str]
    netem: str  # "available", or why not


def describe() -> Machine:
    return Machine(
        date=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        cpu=_cpu_model(),
        cores=len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count() or 0,
        memory=_memory(),
        python=f"{platform.python_implementation()} {platform.python_version()}",
        kernel=f"{platform.system()} {platform.release()}",
        openssl=ssl.OPENSSL_VERSION,
        packages={name: _version(name) for name in PACKAGES},
        netem=netem_status(),
    )


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def netem_status() -> str:
    """Try ``tc qdisc ... netem`` inside a throwaway network namespace; always remove it again.

    Only reported: the benchmark emulates RTT with its relay either way, so that results do not
    depend on root rights or kernel modules.
    """
    missing = [tool for tool in ("ip", "tc") if shutil.which(tool) is None]
    if missing:
        return f"not tried: {', '.join(missing)} not installed (package iproute2)"
    if os.geteuid() != 0:
        return "not tried: needs root"
    namespace = f"bench-probe-{os.getpid()}"
    try:
        _run("ip", "netns", "add", namespace)
    except (subprocess.SubprocessError, OSError) as error:
        return f"unavailable here, no network namespace: {_reason(error)}"
    status = "available"
    try:
        _run("ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up")
        _run("ip", "netns", "exec", namespace, *NETEM_COMMAND)
    except (subprocess.SubprocessError, OSError) as error:
        status = f"unavailable here, the command said {_reason(error)}"
    try:
        _run("ip", "netns", "delete", namespace)
    except (subprocess.SubprocessError, OSError) as error:
        status += f"; the probe namespace {namespace} could not be removed: {_reason(error)}"
    return status


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, timeout=PROBE_TIMEOUT_SECONDS)


def _reason(error: BaseException) -> str:
    if isinstance(error, subprocess.CalledProcessError):
        text = (error.stderr or b"").decode(errors="replace").strip()
        reason = text.splitlines()[-1] if text else f"exit status {error.returncode}"
    else:
        reason = str(error)
    return f"“{reason.rstrip('.')}”"

"""Figure 2: warm send latency over HTTPS with an emulated round-trip time, and handshakes per call.

Four ways to send the same one-recipient SMS through the delay relay, taking turns call by call:

* ``plugin``: ``send_sms`` of this plugin through the stand-in daemon (stdio protocol included);
* ``sdk_plugin``: the official plugin's way (new ``plivo.RestClient`` per call) in a plugin
  process under the same daemon;
* ``core``: this plugin's core in-process: ``plivo_api.features.send_sms.run``, exactly what the
  tool runs (credentials, plan, pooled client, send, presentation) minus Dify's message wrappers;
* ``sdk``: the official plugin's two SDK calls in-process.

Handshakes are the sandbox's accepted-connection count before and after each call: every new
connection is a TCP handshake plus a full TLS handshake (nothing resumes a TLS session here).
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.rig import CREDENTIALS, SDK_CREDENTIALS, SENDER, Rig, patched_environ
from bench.stats import Sample
from devtools.daemon import StandInDaemon
from plivo_api.features import Invocation, send_sms

DESTINATION = "+14155552671"
TEXT = "Your verification code is 482913. It expires in 10 minutes."
SERIES = ("plugin", "sdk_plugin", "core", "sdk")


@dataclass(frozen=True)
class SeriesResult:
    seconds: Sample
    handshakes_per_call: float
    requests_per_call: float


@dataclass(frozen=True)
class LatencyResult:
    rtt: float
    series: dict[str, SeriesResult]
    tls_connect_seconds: Sample  # calibration: one TCP + TLS handshake through the relay


def core_sender() -> Callable[[], Any]:
    """What the ``send_sms`` tool runs, minus Dify's message wrappers.

    The core reads its API address from the environment, as in the plugin: call it inside
    ``patched_environ(rig.our_env(url))``.
    """
    call = Invocation(parameters={"to": DESTINATION, "message": TEXT}, credentials=CREDENTIALS)

    def send() -> Any:
        output = send_sms.run(call)
        if not output.json.get("message_uuids"):
            raise RuntimeError(f"core send failed: {output.text}")
        return output

    return send


def sdk_sender(rig: Rig, url: str) -> Callable[[], Any]:
    new_client = rig.sdk_client_factory(url)

    def send() -> Any:
        client = new_client()
        return client.messages.create(
            src=SENDER.lstrip("+"), dst=DESTINATION.lstrip("+"), text=TEXT
        )

    return send


def _plugin_sender(daemon: StandInDaemon) -> Callable[[], Any]:
    def send() -> Any:
        result = daemon.invoke_tool("send_sms", {"to": DESTINATION, "message": TEXT}, CREDENTIALS)
        if not result.ok or not result.json.get("message_uuids"):
            raise RuntimeError(f"plugin send failed: {result.error or result.raw}")
        return result

    return send


def _sdk_plugin_sender(daemon: StandInDaemon) -> Callable[[], Any]:
    params = {"to_number": DESTINATION, "from_number": SENDER, "message": TEXT}

    def send() -> Any:
        result = daemon.invoke_tool("send_sms", params, SDK_CREDENTIALS, provider="bench_sdk")
        if not result.ok or not result.texts or "Message UUID" not in result.texts[0]:
            raise RuntimeError(f"SDK plugin send failed: {result.error or result.raw}")
        return result

    return send


def measure_latency(rig: Rig, runs: int, warmups: int, calibrations: int) -> LatencyResult:
    url = rig.rtt_url
    with contextlib.ExitStack() as stack:
        ours, theirs = rig.start_both(stack, url)
        stack.enter_context(patched_environ(rig.our_env(url)))
        senders = {
            "plugin": _plugin_sender(ours),
            "sdk_plugin": _sdk_plugin_sender(theirs),
            "core": core_sender(),
            "sdk": sdk_sender(rig, url),
        }
        series = _interleaved(rig, senders, runs, warmups)
    return LatencyResult(rig.rtt, series, _tls_connects(rig, calibrations))


def _interleaved(
    rig: Rig, senders: dict[str, Callable[[], Any]], runs: int, warmups: int
) -> dict[str, SeriesResult]:
    seconds: dict[str, list[float]] = {name: [] for name in senders}
    connections = dict.fromkeys(senders, 0)
    requests = dict.fromkeys(senders, 0)
    control = rig.sandbox.control
    for run in range(warmups + runs):
        for name, send in senders.items():
            before = control.health()
            started = time.perf_counter()
            send()
            elapsed = time.perf_counter() - started
            after = control.health()
            if run < warmups:
                continue
            seconds[name].append(elapsed)
            connections[name] += after["connections_opened"] - before["connections_opened"]
            requests[name] += after["requests"] - before["requests"]
    return {
        name: SeriesResult(
            Sample.of(seconds[name]), connections[name] / runs, requests[name] / runs
        )
        for name in senders
    }


def _tls_connects(rig: Rig, count: int) -> Sample:
    """How long a bare TCP + TLS 1.3 handshake takes through the relay: expected 2 RTT + CPU."""
    context = ssl.create_default_context(cafile=rig.ca_bundle)
    values = []
    for _ in range(count):
        started = time.perf_counter()
        with (
            socket.create_connection(("127.0.0.1", rig.relay_port)) as raw,
            context.wrap_socket(raw, server_hostname="127.0.0.1"),
        ):
            values.append(time.perf_counter() - started)
    return Sample.of(values)

"""The test bench every figure shares: certificate, HTTPS sandbox, delay relay, environment.

Both clients reach the sandbox at ``direct_url`` (zero added latency) or ``rtt_url`` (through the
relay). Trust in the self-signed certificate is configured the way each client allows: this
plugin's sessions honour ``REQUESTS_CA_BUNDLE`` (``trust_env``); Plivo's SDK sends with
``Session.send``, which ignores it, so its session's ``verify`` is set instead. ``NO_PROXY`` keeps
every request on 127.0.0.1 even where a proxy is configured.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.plugins import SDK_BASE_URL_ENV, SDK_CA_BUNDLE_ENV, write_bare_plugin, write_sdk_plugin
from bench.serve import SandboxProcess, ServerProcess
from devtools.daemon import PLUGIN_ROOT, StandInDaemon
from devtools.sandbox import DEMO_AUTH_ID, DEMO_AUTH_TOKEN
from devtools.tls import Certificate, make_certificate

SENDER = "+14155550199"
CREDENTIALS = {"auth_id": DEMO_AUTH_ID, "auth_token": DEMO_AUTH_TOKEN, "default_sender": SENDER}
SDK_CREDENTIALS = {"auth_id": DEMO_AUTH_ID, "auth_token": DEMO_AUTH_TOKEN}
LOCAL_ONLY = {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}


@dataclass(frozen=True)
class Rig:
    work: Path
    certificate: Certificate
    sandbox: SandboxProcess
    relay_port: int
    rtt: float
    bare_root: Path
    sdk_root: Path

    @property
    def direct_url(self) -> str:
        return self.sandbox.url

    @property
    def rtt_url(self) -> str:
        return f"https://127.0.0.1:{self.relay_port}"

    @property
    def ca_bundle(self) -> str:
        return str(self.certificate.cert_path)

    def our_env(self, url: str) -> dict[str, str]:
        return {
            **LOCAL_ONLY,
            "PLIVO_API_BASE_URL": url,
            "PLIVO_LOOKUP_BASE_URL": url,
            "REQUESTS_CA_BUNDLE": self.ca_bundle,
        }

    def sdk_env(self, url: str) -> dict[str, str]:
        return {**LOCAL_ONLY, SDK_BASE_URL_ENV: url, SDK_CA_BUNDLE_ENV: self.ca_bundle}

    def our_plugin(self, url: str) -> StandInDaemon:
        return StandInDaemon(PLUGIN_ROOT, env=self.our_env(url))

    def sdk_plugin(self, url: str) -> StandInDaemon:
        return StandInDaemon(self.sdk_root, env=self.sdk_env(url))

    def start_both(
        self, stack: contextlib.ExitStack, url: str
    ) -> tuple[StandInDaemon, StandInDaemon]:
        """Our plugin and the SDK-based one, both running until ``stack`` closes."""
        ours = self.our_plugin(url).start()
        stack.callback(ours.stop)
        theirs = self.sdk_plugin(url).start()
        stack.callback(theirs.stop)
        return ours, theirs

    def sdk_client_factory(self, base_url: str) -> Callable[[], Any]:
        """What the official plugin does per invocation, pointed at ``base_url``.

        Plivo's SDK reads the module constant ``PLIVO_API_BASE_URI`` on every request, so
        patching it once redirects every client made afterwards.
        """
        import plivo
        import plivo.rest.client

        plivo.rest.client.PLIVO_API_BASE_URI = base_url + "/v1/Account"
        ca_bundle = self.ca_bundle

        def new_client() -> Any:
            client = plivo.RestClient(auth_id=DEMO_AUTH_ID, auth_token=DEMO_AUTH_TOKEN)
            client.session.verify = ca_bundle
            return client

        return new_client


@contextlib.contextmanager
def patched_environ(values: Mapping[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def rig(work: Path, rtt: float) -> Iterator[Rig]:
    """Everything started, and stopped again whatever happens."""
    certificate = make_certificate(work)
    bare_root = write_bare_plugin(work / "bare_plugin")
    sdk_root = write_sdk_plugin(work / "sdk_plugin")
    with contextlib.ExitStack() as stack:
        # The in-process core client reads the CA bundle from the environment, as in the plugin.
        stack.enter_context(
            patched_environ({**LOCAL_ONLY, "REQUESTS_CA_BUNDLE": str(certificate.cert_path)})
        )
        sandbox = SandboxProcess(certificate.cert_path, certificate.key_path, work / "sandbox.log")
        stack.callback(sandbox.stop)
        relay = ServerProcess(["relay", str(sandbox.port), repr(rtt)], work / "relay.log")
        stack.callback(relay.stop)
        yield Rig(work, certificate, sandbox, relay.port, rtt, bare_root, sdk_root)

"""``python -m devtools.sandbox``: run the Plivo sandbox until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from types import FrameType

from devtools.sandbox.accounts import (
    DEMO_AUTH_ID,
    DEMO_AUTH_TOKEN,
    DEMO_TRIAL_AUTH_ID,
    DEMO_TRIAL_AUTH_TOKEN,
    DEMO_TRIAL_VERIFIED_NUMBER,
)
from devtools.sandbox.directory import DEMO_APP_ID, DEMO_NUMBER, DEMO_PHLO_ID
from devtools.sandbox.messages import Timeline, magic_numbers_help
from devtools.sandbox.server import PlivoSandbox
from devtools.sandbox.voice import CallTimeline, magic_calls_help
from devtools.sandbox.webhooks import PLIVO_RETRY_DELAYS, WebhookPolicy

logger = logging.getLogger("devtools.sandbox")

DEFAULT_PORT = 8765

_HELP = """\
A fake Plivo API (REST, Lookup, PHLO runner) on one local port, for the demo, end-to-end tests and
benchmarks; it also sends Plivo-signed callbacks (inbound SMS, delivery reports, call events).

Credentials: {auth_id} / {token} (standard account)
             {trial_id} / {trial_token} (trial account; may only send to +{verified})
Point the plugin at it with PLIVO_API_BASE_URL and PLIVO_LOOKUP_BASE_URL (both the sandbox URL);
the PHLO base URL is the sandbox URL too. The standard account rents +{number} (linked to
application {app_id}) and owns PHLO {phlo_id}.
Destinations +86 (CN) and +7 (RU) are refused as not enabled in geo permissions (403).

Magic message destinations (last four digits):
  {magic}

Magic call destinations (last four digits):
  {magic_calls}

Control API (what the benchmarks read): GET /__sandbox__/, GET|DELETE /__sandbox__/requests,
POST /__sandbox__/reset (see devtools/sandbox/control.py)
"""


def _help_text() -> str:
    return _HELP.format(
        auth_id=DEMO_AUTH_ID,
        token=DEMO_AUTH_TOKEN,
        trial_id=DEMO_TRIAL_AUTH_ID,
        trial_token=DEMO_TRIAL_AUTH_TOKEN,
        verified=DEMO_TRIAL_VERIFIED_NUMBER,
        number=DEMO_NUMBER,
        app_id=DEMO_APP_ID,
        phlo_id=DEMO_PHLO_ID,
        magic="\n  ".join(magic_numbers_help()),
        magic_calls="\n  ".join(magic_calls_help()),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m devtools.sandbox",
        description="Run the Plivo sandbox.",
        epilog=_help_text(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to each answer")
    parser.add_argument(
        "--timeline-scale",
        type=float,
        default=1.0,
        help="multiply the message (0.2 s / 0.6 s) and call (0.2 / 0.5 / 2 s) timelines by this",
    )
    parser.add_argument(
        "--callbacks",
        action="store_true",
        help="send delivery reports to a send's url and call callbacks along the timelines",
    )
    parser.add_argument(
        "--retry-scale",
        type=float,
        default=1.0,
        help=f"multiply Plivo's callback retry delays {PLIVO_RETRY_DELAYS} s by this factor",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(name)s %(message)s",
    )

    sandbox = PlivoSandbox(
        host=args.host,
        port=args.port,
        latency=args.latency,
        timeline=Timeline() * args.timeline_scale,
        call_timeline=CallTimeline() * args.timeline_scale,
        callbacks=args.callbacks,
        webhook_policy=WebhookPolicy(
            retry_delays=tuple(delay * args.retry_scale for delay in PLIVO_RETRY_DELAYS)
        ),
    ).start()
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    logger.info("Plivo sandbox listening on %s", sandbox.url)
    logger.info("credentials: auth_id=%s auth_token=%s", DEMO_AUTH_ID, DEMO_AUTH_TOKEN)
    logger.info(
        "export PLIVO_API_BASE_URL=%s PLIVO_LOOKUP_BASE_URL=%s", sandbox.url, sandbox.lookup_url
    )
    logger.info("magic message destinations: %s", "; ".join(magic_numbers_help()))
    logger.info("magic call destinations: %s", "; ".join(magic_calls_help()))
    logger.info("press Ctrl-C to stop")
    try:
        while not stopping.wait(0.5):
            pass
    finally:
        sandbox.stop()
        logger.info("sandbox stopped")


if __name__ == "__main__":
    main()

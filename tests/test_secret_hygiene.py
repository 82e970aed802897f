"""Secret hygiene: no Auth Token and no unmasked Auth ID in anything the plugin shows or logs.

Every tool that talks to Plivo (and the credential check) runs through every error path of the
fault matrix, plus success, a wrong token, a refused connection and a read timeout, with accounts
whose credentials are distinctive. The error bodies echo the credentials back, as a proxy quoting
the request would, so redaction is exercised rather than merely not needed. Then every output
message, error message, traceback, log line and stderr line of the plugin process is scanned, also
for the credentials in Basic-auth form.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from devtools.daemon import StandInDaemon
from devtools.sandbox import Fault, PlivoSandbox
from plivo_api.http_errors import MAX_QUOTED_BODY_CHARS
from tests.evidence_support import (
    TARGETS,
    TARGETS_BY_NAME,
    Case,
    Lane,
    Observed,
    error_paths,
    find_secrets,
    make_lanes,
    run_cases,
    secret_forms,
    texts_of,
)

pytestmark = pytest.mark.e2e

LANES = 24
TOKEN_SUFFIX = "-do-not-leak"
WRONG_TOKEN = "hygiene-wrong-token-do-not-leak"
MASKED_TOKEN = "[auth token]"
READ_TIMEOUT = "1"


def echo(lane: Lane) -> str:
    """What a misbehaving server says back: the request path and the credentials in clear."""
    return f" for /v1/Account/{lane.auth_id}/ as {lane.auth_id}:{lane.account.auth_token}"


@dataclass
class Run:
    """Every case of one plugin process, and everything that process wrote outside sessions."""

    observed: dict[str, Observed]
    lanes: list[Lane]
    daemon: StandInDaemon

    def process_texts(self) -> list[str]:
        daemon = self.daemon
        return [
            *(str(line) for line in daemon.logs),
            *daemon.stderr_lines,
            *daemon.stdout_noise,
            *(str(error) for error in daemon.top_level_errors),
        ]


def secrets_of(lanes: list[Lane]) -> dict[str, str]:
    found: dict[str, str] = {"wrong token": WRONG_TOKEN}
    for lane in lanes:
        for form, secret in secret_forms(lane.auth_id, lane.account.auth_token).items():
            found[f"{form} of {lane.auth_id[:11]}"] = secret
        found[f"basic credentials with the wrong token of {lane.auth_id[:11]}"] = secret_forms(
            lane.auth_id, WRONG_TOKEN
        )["basic credentials"]
    return found


def hygiene_cases(lanes_echo: bool = True) -> Iterator[Case]:
    """Success, every fault of the matrix, and a wrong token, for every target."""
    for target in TARGETS:
        yield Case(f"{target.name}-success", target)
        yield Case(f"{target.name}-wrong-token", target, credentials={"wrong_token": True})
        for name, fault in error_paths(target):
            cost = 1.5 if fault.times > 1 else 0.05
            yield Case(f"{target.name}-{name}", target, fault, cost=cost)


def with_lane_specifics(cases: Iterator[Case], lanes: list[Lane]) -> Iterator[Case]:
    """Echo texts and wrong-token credentials depend on the lane; cases are dealt out per lane."""
    yield from cases


def run_in(daemon: StandInDaemon, sandbox: PlivoSandbox, lanes: list[Lane]) -> dict[str, Observed]:
    observed: dict[str, Observed] = {}
    cases = list(hygiene_cases())
    # Credentials and echoes depend on the lane: give each lane its own slice of the cases.
    slices = [cases[i :: len(lanes)] for i in range(len(lanes))]
    per_lane = [
        [
            Case(
                case.key,
                case.target,
                case.fault,
                credentials=(
                    {**lane.credentials, "auth_token": WRONG_TOKEN} if case.credentials else None
                ),
                echo=echo(lane),
                cost=case.cost,
            )
            for case in share
        ]
        for lane, share in zip(lanes, slices, strict=True)
    ]
    for lane, share in zip(lanes, per_lane, strict=True):
        del lane, share
    observed = run_cases_per_lane(daemon, sandbox, lanes, per_lane)
    return observed


def run_cases_per_lane(
    daemon: StandInDaemon,
    sandbox: PlivoSandbox,
    lanes: list[Lane],
    shares: list[list[Case]],
) -> dict[str, Observed]:
    observed: dict[str, Observed] = {}
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(lanes)) as pool:
        futures = [
            pool.submit(run_cases, daemon, sandbox, [lane], share)
            for lane, share in zip(lanes, shares, strict=True)
        ]
        for future in futures:
            observed.update(future.result())
    return observed

"""Running the app inside a time budget, so the caller always hears something.

Plivo waits :data:`PLIVO_READ_TIMEOUT_SECONDS` for the XML of a GetInput action, then sends the
same request once more, and gives the URL :data:`PLIVO_TOTAL_TIMEOUT_SECONDS` in all
(https://plivo.com/docs/voice/concepts/callback-configurations: ``rt`` 40,000 ms, ``rc`` 1 on
``ct,rt``, ``tt`` 55,000 ms by default). A turn whose answer came later than that would leave the
caller in silence and then end the call. So the app runs in a worker thread and the turn waits
for it at most :data:`APP_BUDGET_SECONDS`; past that, the turn answers with an apology and a
new prompt. The worker is abandoned, not stopped (a blocking invocation cannot be cancelled):
whatever it returns later is dropped, and Dify closes the endpoint session once the turn has
answered, which ends it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

PLIVO_READ_TIMEOUT_SECONDS: Final = 40.0
PLIVO_TOTAL_TIMEOUT_SECONDS: Final = 55.0
APP_BUDGET_SECONDS: Final = 25.0
"""Well below Plivo's 40 s: room for Dify relaying the answer, storage and the network."""
RETRY_WAIT_SECONDS: Final = 10.0
"""How long a retried turn waits for the first delivery's answer. A retry comes 40 s after the
first request and has what is left of the 55 s: 15 s."""
POLL_SECONDS: Final = 0.5


@dataclass
class _Outcome[T]:
    value: T | None = None
    error: BaseException | None = None


class BudgetExceededError(Exception):
    """The work was not done within its budget (it may still be running)."""


def within[T](seconds: float, work: Callable[[], T]) -> T:
    """``work()``'s result, or :class:`BudgetExceededError` after ``seconds``.

    An exception ``work`` raises in time is raised here.
    """
    done = threading.Event()
    outcome: _Outcome[T] = _Outcome()

    def run() -> None:
        try:
            outcome.value = work()
        except BaseException as error:  # noqa: BLE001 - handed to the waiting caller
            outcome.error = error
        finally:
            done.set()

    threading.Thread(target=run, name="phone-assistant-turn", daemon=True).start()
    if not done.wait(seconds):
        raise BudgetExceededError(f"no answer within {seconds:g} s")
    if outcome.error is not None:
        raise outcome.error
    return outcome.value  # type: ignore[return-value]  # set whenever error is None


__all__ = [
    "APP_BUDGET_SECONDS",
    "PLIVO_READ_TIMEOUT_SECONDS",
    "PLIVO_TOTAL_TIMEOUT_SECONDS",
    "POLL_SECONDS",
    "RETRY_WAIT_SECONDS",
    "BudgetExceededError",
    "within",
]

"""The fixed sentences of the phone assistant.

What a caller hears when something fails is always a short spoken sentence followed by a way on
(a new prompt, or a goodbye and a hang-up): never silence, never Plivo's error tone. The
sentences are English; the greeting, the part a builder most wants in the caller's language, is
a setting.
"""

from __future__ import annotations

from typing import Final

DEFAULT_GREETING: Final = "Hello, how can I help you?"
REPROMPT: Final = "Are you still there? Please tell me how I can help."
"""After the first silence: the caller gets one more chance."""
GOODBYE: Final = "I did not hear anything, so I will end the call now. Goodbye."
"""After the second silence in a row."""
APOLOGY: Final = "Sorry, I could not get an answer just now. Could you say that again?"
"""The app failed, answered nothing, or was not done within the time budget."""
STILL_WORKING: Final = "Sorry, that took too long. Could you say that again?"
"""A retried turn whose first delivery is still running and has not answered."""
CONNECTING: Final = "Connecting you to a person. Please hold."
NOBODY_AVAILABLE: Final = (
    "Sorry, nobody is available to take your call right now. How else can I help?"
)
NOT_AVAILABLE: Final = "Sorry, this number cannot take calls right now. Goodbye."
"""The endpoint has no app that talks on calls, or cannot run it at all."""
TRANSCRIPT_TRANSFER: Final = "(transferred to a person)"
TRANSCRIPT_NO_ANSWER: Final = "(no answer: the caller heard an apology)"

__all__ = [
    "APOLOGY",
    "CONNECTING",
    "DEFAULT_GREETING",
    "GOODBYE",
    "NOBODY_AVAILABLE",
    "NOT_AVAILABLE",
    "REPROMPT",
    "STILL_WORKING",
    "TRANSCRIPT_NO_ANSWER",
    "TRANSCRIPT_TRANSFER",
]

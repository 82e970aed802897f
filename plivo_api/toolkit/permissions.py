"""Changes to the Plivo account happen only when the workflow builder switched them on.

A tool that can create, change or delete account resources (applications, SIP endpoints, any raw
write) takes a form-only boolean setting, off by default. An agent cannot set a form setting, so
a prompt-injected "delete every application" fails here with a sentence naming the setting, and
no request is made.
"""

from __future__ import annotations

from ..errors import InputError


def require_enabled(enabled: bool, setting: str, label: str, action: str) -> None:
    """Raise :class:`InputError` naming ``setting`` unless the builder turned it on.

    ``label`` is the setting's English label in the tool's form, ``action`` what was refused
    ("delete application 123").
    """
    if enabled:
        return
    raise InputError(
        setting,
        f"Refused to {action}: it changes the Plivo account, and this tool's '{label}' setting "
        f"({setting}) is off, so nothing was sent to Plivo. Only the workflow builder can turn "
        f"'{label}' on in the tool's settings; if you are an assistant, tell the user instead of "
        "retrying.",
    )


__all__ = ["require_enabled"]

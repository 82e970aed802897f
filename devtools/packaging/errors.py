"""The one exception the packager raises: its message is the whole user-facing explanation."""


class PackagingError(Exception):
    """The plugin cannot be packaged; the message says what to fix (one problem per line)."""

"""Exceptions of the library and the exit codes the CLI maps them to.

The library raises; :func:`jobscope.cli.main` is the one place that turns an
exception into a one-line message and an exit code.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes shared by every jobscope command (documented in the README)."""

    OK = 0
    SOME_FAILED = 1
    USAGE = 2
    NOTHING_PROCESSED = 3
    REFUSED = 4
    FLAGGED = 5
    """`check --fail-on`: the ad raised a flag of that severity or worse."""
    INTERRUPTED = 130


class JobscopeError(Exception):
    """Base class: a problem a user can understand and act on.

    `reason` is a short machine-readable code (``timeout``, ``http_404``, ``robots_disallowed``
    ...) that batch and scrape runs write to their errors files and count in their summaries.
    """

    exit_code: ExitCode = ExitCode.NOTHING_PROCESSED
    default_reason = "error"

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason or self.default_reason


class InputError(JobscopeError):
    """An input could not be read or understood (missing, empty, binary, broken)."""

    default_reason = "input"


class EmptyInputError(InputError):
    """The input holds no text."""

    default_reason = "empty"


class BinaryInputError(InputError):
    """The input is binary data, not text."""

    default_reason = "binary"


class DecodeError(InputError):
    """The input's bytes cannot be decoded as text."""

    default_reason = "decode"


class FormatError(InputError):
    """Broken JSON, CSV or HTML that holds no ad."""

    default_reason = "format"


class InputTooLargeError(InputError):
    """The input exceeds the configured size cap."""

    default_reason = "too_large"


class FetchError(InputError):
    """A URL could not be fetched (unreachable, timeout, HTTP error, wrong content type)."""

    default_reason = "fetch"


class UsageError(JobscopeError):
    """The command was called wrongly (bad option values, several records for one ad)."""

    default_reason = "usage"
    exit_code = ExitCode.USAGE


class RefusedError(JobscopeError):
    """jobscope refuses to act: a private address, robots.txt, an untrusted model."""

    default_reason = "refused"
    exit_code = ExitCode.REFUSED


class ModelVerificationError(RefusedError):
    """A model file does not match its model card (hash or scikit-learn version)."""


class ModelError(JobscopeError):
    """No usable model could be loaded or built."""

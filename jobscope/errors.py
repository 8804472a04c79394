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
    """Base class: a problem a user can understand and act on."""

    exit_code: ExitCode = ExitCode.NOTHING_PROCESSED


class InputError(JobscopeError):
    """An input could not be read or understood (missing, empty, binary, broken)."""


class EmptyInputError(InputError):
    """The input holds no text."""


class BinaryInputError(InputError):
    """The input is binary data, not text."""


class DecodeError(InputError):
    """The input's bytes cannot be decoded as text."""


class FormatError(InputError):
    """Broken JSON, CSV or HTML that holds no ad."""


class InputTooLargeError(InputError):
    """The input exceeds the configured size cap."""


class FetchError(InputError):
    """A URL could not be fetched (unreachable, timeout, HTTP error, wrong content type)."""


class UsageError(JobscopeError):
    """The command was called wrongly (bad option values, several records for one ad)."""

    exit_code = ExitCode.USAGE


class RefusedError(JobscopeError):
    """jobscope refuses to act: a private address, robots.txt, an untrusted model."""

    exit_code = ExitCode.REFUSED


class ModelVerificationError(RefusedError):
    """A model file does not match its model card (hash or scikit-learn version)."""


class ModelError(JobscopeError):
    """No usable model could be loaded or built."""

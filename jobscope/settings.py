"""All limits, thresholds and paths in one frozen dataclass.

Defaults are documented in the README. A user config file (TOML) can override
any field: `[jobscope]` table, keys named like the fields below.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jobscope import __version__
from jobscope.errors import UsageError

PROJECT_URL = "https://github.com/jobscope/jobscope"


def _default_cache_dir() -> Path:
    env = os.environ.get("JOBSCOPE_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME")
    if base:
        return Path(base) / "jobscope"
    if sys.platform == "win32":  # pragma: no cover
        return Path(os.environ.get("LOCALAPPDATA", Path.home())) / "jobscope" / "cache"
    return Path.home() / ".cache" / "jobscope"


@dataclass(frozen=True)
class Settings:
    """Settings of one run. Build a changed copy with :meth:`replace`."""

    # Input limits
    max_input_bytes: int = 5_000_000
    """Largest file, stdin or HTTP body (decoded bytes) that is read."""

    # Plain HTTP GET of `check URL` (the full scraper has its own settings)
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    max_redirects: int = 5
    allow_private: bool = False
    """Fetch from private, loopback and link-local addresses (off: refused)."""
    allowed_content_types: tuple[str, ...] = (
        "text/html",
        "application/xhtml+xml",
        "text/plain",
        "text/markdown",
        "application/json",
        "application/ld+json",
    )
    user_agent: str = f"jobscope/{__version__} (+{PROJECT_URL})"

    # Classification
    label_threshold: float | None = None
    """An item carries a specialism when the model's score reaches this; None: the model
    card's per-specialism thresholds."""

    # Whole-ad decisions
    social_role_min_share: float = 0.5
    """Share of task/profile items with social-media work that makes a role a social-media role
    when its title does not say so."""
    social_role_min_items: int = 3

    # Model
    model_path: Path | None = None
    """A model file named by the user (its card must sit beside it); None: the shipped model."""
    cache_dir: Path = field(default_factory=_default_cache_dir)
    """Where a model rebuilt from the corpus is kept."""

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_file(cls, path: Path, **overrides: Any) -> Settings:
        """Read a TOML config file's `[jobscope]` table; unknown keys are a usage error."""
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover
            import tomli as tomllib
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise UsageError(f"cannot read config file {path}: {exc.strerror}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise UsageError(f"config file {path} is not valid TOML: {exc}") from exc
        table = data.get("jobscope", data)
        names = {f.name: f for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {}
        for key, value in table.items():
            if key not in names:
                raise UsageError(f"config file {path}: unknown setting {key!r}")
            if key in {"model_path", "cache_dir"}:
                value = Path(value)
            elif key == "allowed_content_types":
                value = tuple(value)
            values[key] = value
        values.update(overrides)
        return cls(**values)

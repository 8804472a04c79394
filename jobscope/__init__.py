"""jobscope: reads social-media job ads and tells what they really ask for.

The library API returns data and raises :class:`jobscope.errors.JobscopeError`
subclasses; only :mod:`jobscope.cli` prints and exits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "BatchOptions",
    "JobAd",
    "JobscopeError",
    "Report",
    "Settings",
    "__version__",
    "analyze",
    "analyze_ads",
    "analyze_source",
    "load_ad",
    "run_batch",
]

if TYPE_CHECKING:  # pragma: no cover
    from jobscope.analyze import analyze, analyze_ads, analyze_source
    from jobscope.batch import BatchOptions, run_batch
    from jobscope.errors import JobscopeError
    from jobscope.ingest import load_ad
    from jobscope.model import JobAd, Report
    from jobscope.settings import Settings

_LAZY = {
    "analyze": "jobscope.analyze",
    "analyze_source": "jobscope.analyze",
    "analyze_ads": "jobscope.analyze",
    "run_batch": "jobscope.batch",
    "BatchOptions": "jobscope.batch",
    "load_ad": "jobscope.ingest",
    "JobAd": "jobscope.model",
    "Report": "jobscope.model",
    "JobscopeError": "jobscope.errors",
    "Settings": "jobscope.settings",
}


def __getattr__(name: str) -> Any:
    # Lazy attributes keep `import jobscope` (and so `jobscope --help`) fast.
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'jobscope' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)

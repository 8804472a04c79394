"""Package data (word lists, platform table), read with importlib.resources so that
a non-editable install finds them. Prefiltered word lists: jobscope.prefilter."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any


@cache
def load_json(name: str) -> Any:
    """A JSON file of `jobscope/data/`, parsed once per process."""
    return json.loads(resources.files("jobscope.data").joinpath(name).read_text(encoding="utf-8"))


def any_of(patterns: Iterable[str]) -> re.Pattern[str]:
    """A word list of regular expressions (package data) as one case-insensitive pattern."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def shipped_path(name: str) -> Path | None:
    """A folder shipped with jobscope: "models" or "corpus".

    In an installed wheel they sit in `jobscope/_shipped/`; in a source checkout (and an
    editable install) they are the repository's own top-level folders.
    """
    installed = Path(str(resources.files("jobscope"))) / "_shipped" / name
    if installed.is_dir():
        return installed
    checkout = Path(__file__).resolve().parent.parent / name
    if checkout.is_dir():
        return checkout
    return None

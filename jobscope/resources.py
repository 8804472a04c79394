"""Package data (word lists, platform table), read with importlib.resources so that
a non-editable install finds them."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any


@cache
def load_json(name: str) -> Any:
    """A JSON file of `jobscope/data/`, parsed once per process."""
    return json.loads(resources.files("jobscope.data").joinpath(name).read_text(encoding="utf-8"))


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

"""Where lexicon data comes from: installed data packages, and Tremor's curated news-domain additions."""

from __future__ import annotations

from importlib.resources import files
from importlib.util import find_spec
from pathlib import Path


class MissingLexicon(RuntimeError):
    """A lexicon data package is not installed; the message gives the install command."""


def package_dir(module: str, install: str) -> Path:
    """The folder of an installed package, found without importing it."""
    spec = find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise MissingLexicon(f"lexicon package {module!r} is missing: {install}")
    return Path(next(iter(spec.submodule_search_locations)))


def curated(name: str) -> dict[str, int]:
    """models/lexicons/NAME: `term<TAB>sign` lines; sign 0 removes a term that misleads in news."""
    text = files("models").joinpath("lexicons", name).read_text(encoding="utf-8")
    rows = (line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#"))
    return {term: int(sign) for term, sign in rows}

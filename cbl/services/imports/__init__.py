"""Imports of an existing register (households, their members, homes) from another system, and exports in
the same formats. The formats are described in docs/import-formats.md; examples are in examples/."""

from pathlib import Path

from .exporting import export_file
from .importing import KINDS, Outcome, import_file
from . import staging
from .problems import Problem

EXAMPLES = Path(__file__).parent / "examples"

__all__ = ["EXAMPLES", "KINDS", "Outcome", "Problem", "export_file", "import_file", "staging"]

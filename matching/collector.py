"""Pausing Python's cyclic garbage collector while a cycle is built or solved.

Loading and ranking a large cycle allocates millions of small objects, none in reference
cycles; with the collector on, each of its full passes walks all of them again and takes several
times longer than the work itself. Reference counting still frees everything as usual.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

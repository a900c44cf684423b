"""The `raccord` executable: one command in a short-lived process, with the cyclic collector held back.

A command loads thousands of objects that live until it ends (modules, the cached library, the
dossier) and makes little garbage, yet Python's cyclic collector traverses them again and again
while they load, and once more at exit: about 40 ms of a 190 ms `raccord check` (measured with
bench/run.py). So the executable pauses the collector from start-up until the inputs are loaded
(`inputs_loaded`, called by cli/context.py), then freezes what was loaded out of its reach and
lets it run for the evaluation; at exit it freezes the whole heap, which dies with the process
anyway. Commands that load no dossier (listings, schema, validate, grid import) run without the
collector to the end: they are short and make little garbage. Tests and library users call `cli`
or the engine directly and keep Python's defaults.
"""

from __future__ import annotations

import gc

_paused = False


def inputs_loaded() -> None:
    """The command's inputs are loaded: resume the collector if the executable paused it."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()


def main() -> None:
    global _paused
    if gc.isenabled():
        _paused = True
        gc.disable()
    try:
        from .main import main as run

        run()
    finally:
        gc.freeze()

"""A text progress bar for management commands, drawn on stderr so stdout stays clean data."""

from __future__ import annotations

from io import TextIOBase
from typing import TextIO


class ProgressBar:
    """``bar(done, total)`` redraws the bar; silent below verbosity 1 or when nothing is counted."""

    WIDTH = 40

    def __init__(self, stream: TextIO | TextIOBase, label: str, *, verbosity: int = 1) -> None:
        self.stream, self.label, self.enabled = stream, label, verbosity >= 1
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        percent = 100 * done // total
        if percent == self.shown and done != total:
            return  # redraw only when the number changes: a million rows, a hundred writes
        self.shown = percent
        filled = self.WIDTH * done // total
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.stream.write(f"\r{self.label} [{bar}] {percent:3d}% ({done}/{total})")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()

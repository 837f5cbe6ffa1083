"""Debouncing by counting samples: a level change counts once it has been seen on ``stable`` samples in a row."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Debounced:
    stable: int
    hold: int
    state: bool = False
    _candidate: bool = False
    _count: int = 0
    _down_samples: int = field(default=0)
    held: bool = False

    def sample(self, raw: bool) -> tuple[bool, bool]:
        """Feed one raw sample; returns (changed, became_held)."""
        changed = False
        if raw == self.state:
            self._count = 0
        else:
            if raw != self._candidate:
                self._candidate, self._count = raw, 0
            self._count += 1
            if self._count >= self.stable:
                self.state, self._count = raw, 0
                changed = True
                self._down_samples = 0
                self.held = False
        became_held = False
        if self.state:
            self._down_samples += 1
            if not self.held and self._down_samples >= self.hold:
                self.held = became_held = True
        return changed, became_held

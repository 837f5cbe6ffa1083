"""Sub-command groups of the ``mynareader`` CLI.

Each module defines ``register(subparsers)``, which adds its parser and sets ``handler`` (a function taking the parsed
arguments and returning the exit status) with ``set_defaults``.
"""

from __future__ import annotations

from types import ModuleType

from firmware.commands import card, cardface, emulate_card, face, screens, voice

COMMAND_MODULES: tuple[ModuleType, ...] = (card, cardface, emulate_card, face, screens, voice)

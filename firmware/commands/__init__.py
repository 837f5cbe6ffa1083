"""Sub-command groups of the ``mynareader`` CLI, one module each.

A group's module defines ``register(parser)``, which adds the group's sub-commands and options to the group's own
parser and sets ``handler`` (a function taking the parsed arguments and returning the exit status) with
``set_defaults``. The CLI imports only the module of the group being run, so ``mynareader --help`` loads none of them
and ``mynareader voice build`` never pays for the card stack, the face models or the renderer.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class CommandGroup:
    name: str
    help: str
    module: str

    def load(self) -> ModuleType:
        return importlib.import_module(self.module)


GROUPS: tuple[CommandGroup, ...] = (
    CommandGroup("run", "run the reception daemon on the configured devices", "firmware.commands.run"),
    CommandGroup("demo", "a whole reception on emulated hardware, scenario by scenario", "firmware.commands.demo"),
    CommandGroup("config", "check a configuration file", "firmware.commands.config"),
    CommandGroup("card", "look at the card in the reader", "firmware.commands.card"),
    CommandGroup("cardface", "read 照合番号B from an image of the card's printed face", "firmware.commands.cardface"),
    CommandGroup("emulate-card", "emulate a My Number card in vpcd's virtual reader", "firmware.commands.emulate_card"),
    CommandGroup("face", "face verification: verify, score, calibrate", "firmware.commands.face"),
    CommandGroup("screens", "the front panel's screens", "firmware.commands.screens"),
    CommandGroup("voice", "voice guidance prompts", "firmware.commands.voice"),
)

"""A scripted transport below CardChannel, for unit tests of the channel and file layers without a reader."""

from __future__ import annotations


class ScriptedTransport:
    """Answers each command with the next scripted response (or the last one forever) and records what it got."""

    def __init__(self, *answers: bytes) -> None:
        self.answers = list(answers)
        self.sent: list[bytes] = []

    def transmit(self, command: bytes) -> bytes:
        self.sent.append(command)
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]

"""The buzzer's sound patterns and the status LED."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from gpiozero import LED, Buzzer
from gpiozero.pins import Factory

# (seconds on, seconds off) per tone. Named like the reception flow's BeepPattern values.
PATTERNS: dict[str, tuple[tuple[float, float], ...]] = {
    "card_detected": ((0.08, 0.0),),  # one short beep
    "success": ((0.08, 0.06), (0.20, 0.0)),  # short-long, rising in feel
    "warning": ((0.30, 0.0),),  # one long tone
    "error": ((0.12, 0.08), (0.12, 0.08), (0.12, 0.0)),  # three quick beeps: unmistakably not the others
    "reminder": ((0.40, 0.25), (0.40, 0.25), (0.40, 0.0)),  # the card-forgotten reminder: slow and insistent
}

Sleep = Callable[[float], Awaitable[None]]


class Sounder:
    def __init__(self, pin: str, pin_factory: Factory | None = None, sleep: Sleep = asyncio.sleep) -> None:
        self._buzzer = Buzzer(pin, pin_factory=pin_factory)
        self._sleep = sleep
        self._lock = asyncio.Lock()  # one pattern at a time; a second waits rather than garbling the first

    async def play(self, pattern: str) -> None:
        try:
            tones = PATTERNS[pattern]
        except KeyError:
            raise ValueError(f"unknown sound pattern {pattern!r} (known: {', '.join(PATTERNS)})") from None
        async with self._lock:
            for on, off in tones:
                self._buzzer.on()
                await self._sleep(on)
                self._buzzer.off()
                if off:
                    await self._sleep(off)

    def close(self) -> None:
        self._buzzer.close()


class StatusLed:
    """On: ready. Slow blink: working. Fast blink: fault. Off: out of service."""

    def __init__(self, pin: str, pin_factory: Factory | None = None) -> None:
        self._led = LED(pin, pin_factory=pin_factory)

    def ready(self) -> None:
        self._led.on()

    def working(self) -> None:
        self._led.blink(on_time=0.5, off_time=0.5)

    def fault(self) -> None:
        self._led.blink(on_time=0.1, off_time=0.1)

    def off(self) -> None:
        self._led.off()

    def close(self) -> None:
        self._led.close()

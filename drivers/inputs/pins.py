"""The GPIO pin backend by name: gpiozero's own factory names, ``lgpio`` on the Pi and ``mock`` for the twin."""

from __future__ import annotations

from gpiozero.pins import Factory

from drivers.inputs.config import InputConfigError

PIN_FACTORIES = ("lgpio", "mock")


def open_pin_factory(name: str) -> Factory:
    """gpiozero's pin factory called ``name``; the lgpio library is imported only here (it needs the Pi's gpiochip)."""
    if name == "mock":
        from gpiozero.pins.mock import MockFactory

        return MockFactory()
    if name == "lgpio":
        try:
            from gpiozero.pins.lgpio import LGPIOFactory
        except ImportError as exc:
            raise InputConfigError("the lgpio pin backend needs the lgpio library (the pi extra)") from exc
        factory: Factory = LGPIOFactory()
        return factory
    raise InputConfigError(f"unknown pin backend {name!r} (one of {', '.join(PIN_FACTORIES)})")

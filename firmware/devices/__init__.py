"""The reader's devices, each opened by a config URL through one registry (:mod:`firmware.devices.registry`, whose
docstring also states the threading rule), with the standard backends in :mod:`firmware.devices.backends`."""

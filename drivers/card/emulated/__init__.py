"""The emulated My Number card: a developer tool and the test fixture of the card driver.

It is emulated at the lowest layer: :mod:`drivers.card.emulated.vpcd` connects to the real pcscd's vpcd reader
driver over TCP and answers APDUs like a card, so pyscard and the driver's code run for real.
"""

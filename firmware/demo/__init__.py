"""``mynareader demo``: the reception daemon on emulated hardware, driven by a scripted patient through scenarios.

:mod:`~firmware.demo.photos` makes what the cameras see (the holder's real photos, the card's rendered front),
:mod:`~firmware.demo.patient` is the scripted patient and its record of steps and screens,
:mod:`~firmware.demo.scenarios` the table of scenarios and what each must end in, and :mod:`~firmware.demo.runner`
the rig (pcscd + vpcd, the daemon, the host SDK) that runs them. Nothing here runs on the device.
"""

"""The reception daemon: the device made of the parts (see :mod:`firmware.daemon.daemon`), its configuration, its
workers and its service-manager notifications."""

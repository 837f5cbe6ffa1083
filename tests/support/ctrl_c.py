"""Ctrl-C for a child process, whatever the test run inherited.

A test run started in the background (``scripts/test &``, a CI runner's job) ignores SIGINT, every child inherits
that, and a CLI that stops on Ctrl-C (``mynareader-host listen``) rightly keeps an ignored SIGINT ignored: a test
that stops it with SIGINT would wait in vain and leave it running, reopening its pty's path and so talking on the
next pty to get that number. Start such a child with ``preexec_fn=sigint_at_default``.
"""

import signal


def sigint_at_default() -> None:
    """Runs in the child before it executes the program: SIGINT at its default, as in a terminal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)

"""The reception PC's side: verify the reader's signed results, keep the nonce and replay records, talk to the reader.

A hospital integrator can install and read :mod:`protocol` alone: it imports nothing else of mynareader.
"""

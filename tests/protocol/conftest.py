import sys
from pathlib import Path

# tests/protocol/sim.py is imported by the tests here as a plain module.
sys.path.insert(0, str(Path(__file__).parent))

# SPDX-License-Identifier: MIT
"""The documentation generator (docs/scripts/) is importable by the tests of this folder."""

import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[2] / "docs" / "scripts"
sys.path.insert(0, str(SCRIPTS))

# SPDX-License-Identifier: MIT
"""``python -m pumpleak_sbml``: the same as the ``pumpleak`` command."""

import sys

from .cli import main

sys.exit(main())

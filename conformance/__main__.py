"""``python -m conformance``: the ``mdev-qos`` command."""

import sys

from conformance.cli import main

sys.exit(main())

"""``python -m conformance``: the ``mdev-qos`` command."""


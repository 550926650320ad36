"""mdev-qos: conformance suite for the QoS interface of Linux mediated devices."""

__version__ = "0.1.0"
SPEC_VERSION = "1.1-draft"

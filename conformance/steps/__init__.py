"""pytest-bdd step definitions: Gherkin text → Target reads, writes and measurements.

Load this package as a pytest plugin (``-p conformance.steps``): it imports every
step module and lists them in ``pytest_plugins`` so that pytest registers the
step fixtures each module defines. Steps use only ``ctx.target``, ``ctx.workload``
and the ``ctx`` helpers, so the same steps run against the mock, a FUSE mount or a
real /sys.
"""

from conformance.steps import (
    accounting,
    concurrency,
    devices,
    formats,
    layout,
    lifecycle,
    load,
    scene,
    shares,
    writes,
)

STEP_MODULES = (scene, devices, layout, formats, writes, load, shares, accounting, lifecycle,
                concurrency)

pytest_plugins = [module.__name__ for module in STEP_MODULES]

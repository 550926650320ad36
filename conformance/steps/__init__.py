"""pytest-bdd step definitions: Gherkin text → reads, writes and measurements.

Load this package as a pytest plugin (``-p conformance.steps``): it imports every
step module and lists them in ``pytest_plugins`` so that pytest registers the
step fixtures each module defines. Steps receive typed fixtures only (see
:mod:`conformance.suite.plugin` and :mod:`conformance.steps.state`): mdev
handles read, the resource registry changes, the outcome skips, errs and
records evidence. So the same steps run against the mock, a FUSE mount or a
real /sys.
"""

from conformance.steps import (
    accounting,
    cap_period,
    concurrency,
    devices,
    domains,
    formats,
    fuzz,
    layout,
    lifecycle,
    load,
    offer,
    presence,
    shares,
    sharing,
    state,
    stateful,
    topology,
    writes,
)

STEP_MODULES = (state, devices, domains, offer, layout, formats, writes, load, shares,
                sharing, cap_period, accounting, lifecycle, concurrency, fuzz, topology,
                stateful, presence)

pytest_plugins = [module.__name__ for module in STEP_MODULES]

"""The spec toolchain: from ``spec/*.rst`` to the catalogue, the HTML and the ABI entry.

- :mod:`.directive`     ``.. requirement::``, ``.. generated::``, ``:req:`` and ``:ref:``
- :mod:`.source`        strict docutils parse of ``spec/index.rst`` (warnings are errors)
- :mod:`.requirements`  ``load_requirements()``: the catalogue other parts import
- :mod:`.scenarios`     Gherkin feature files: scenarios, requirement tags, lint
- :mod:`.traceability`  requirement ↔ scenario links, ``requirements.json``
- :mod:`.html`          ``mdev-qos spec build``: html5 writer, CSS, traceability annex
- :mod:`.abi`           ``mdev-qos spec abi``: the ``Documentation/ABI/testing`` entry
"""

"""``mdev-qos discover``: what QoS a host's mdev parents and types offer, read-only.

- :mod:`.collect` reads a tree (a real ``/sys``, a FUSE mount, a recording or the
  embedded mock) through a :class:`~conformance.sysfs.target.Target` into
  :mod:`.model` objects; it only reads.
- :mod:`.document` turns them into the JSON document of
  ``spec/schema/discover.schema.json``; :mod:`.table` into a table for people.
- :mod:`.propose` checks a chosen mdev configuration against its type's offer and
  writes the libvirt node device XML and the mdevctl JSON that would create it.
"""

"""The suite's view of a sysfs tree: the Target protocol, its implementations, the paths."""

"""The ``cg3`` command line: a client of the renderer library and the service."""

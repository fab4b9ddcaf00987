"""Populus source plug-ins: `base` defines the interface, `files`, `http` and `simulator` implement it."""

"""pmipmc: a model checker for draft-liu-multimob-pmipv6-multicast-ro-01.

The subpackages live in the repository's top-level folders (model/, properties/, engine/) and
are mapped under this name by pyproject.toml; this package itself only makes `pmipmc` a real
module, so that `python -m pmipmc` has a `__main__` to run.
"""

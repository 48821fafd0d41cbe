"""Pure optimisation: courier routing (PyVRP) and, later, site selection (HiGHS).

Plain dataclasses in, plain dataclasses out; no Django and nothing else of hyperlocal except
the pure ``geo`` toolkit, so that dispatch, the simulator and the benchmarks share one code
path and it can be tested without a database.
"""

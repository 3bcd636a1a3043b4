"""Analysis: pure functions from tidy tables (pandas) to results.

No I/O, no plotting. Each module documents its method and the paper it follows.
"""

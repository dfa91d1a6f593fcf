"""The e-Statistics side of the Burkit-MO exchange: contract, dictionaries, warehouse."""

import logging

# GX logs each function it registers as public API while it is imported, at INFO: two
# hundred lines of nothing in every task log that checks a file.
logging.getLogger("great_expectations._docs_decorators").setLevel(logging.WARNING)

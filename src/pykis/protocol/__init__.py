"""The sans-I/O core: request building, envelope decoding, paging, token rules and rate arithmetic.

Nothing here opens a socket, sleeps or reads a clock: callers pass ``now`` in and get delays out.
The blocking and asyncio drivers (:mod:`pykis.drivers`) run the same flows.
"""

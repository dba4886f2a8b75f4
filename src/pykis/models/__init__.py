"""Typed, immutable models of what the service answers: quotes, charts, order books, balances, orders and realtime
events, each read from the generated wire description (:mod:`pykis.wire`)."""

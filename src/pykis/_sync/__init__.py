"""Blocking transports and drivers (httpx.Client)."""

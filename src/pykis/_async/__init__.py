"""asyncio transports and drivers (httpx.AsyncClient)."""

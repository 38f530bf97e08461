"""The web app: chat gateway, pages and health endpoint (aiohttp)."""

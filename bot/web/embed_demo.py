"""GET /embed-demo: a sample 1177-style host page embedding the widget with a signed token.

Only served in demo mode (no real signing key configured): the web app signs the token
itself, as a portal would. ?tampered=1 alters the signature, ?expired=1 sends an expired
token, ?iframe=1 shows the iframe alternative instead of the script snippet.
"""

from __future__ import annotations

import datetime as dt
import html

from aiohttp import web

from bot.web.context_token import ContextVerifier

DEMO_RESIDENT = {"sub": "demo-resident-7f3a", "municipality": "Göteborg",
                 "listed_unit": "narhalsan_lundby", "age_band": "18-64", "lang": "sv"}

PAGE = """<!doctype html>
<html lang="sv">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Exempelportal – inloggad (demo)</title>
  <link rel="stylesheet" href="/static/embed-demo.css">
</head>
<body>
  <header class="portal"><p class="brand">Exempelportalen (demo av en 1177-liknande sida)</p>
    <p>Inloggad som <strong>Testperson Demo</strong> · listad på Närhälsan Lundby vårdcentral</p>
  </header>
  <main>
    <h1>Mina sidor</h1>
    <p>Den här sidan visar hur Vårdlotsen bäddas in i en inloggad portal. Portalen skickar
      invånarens uppgifter som en signerad token; chatten litar bara på uppgifter med giltig
      signatur.</p>
    <p class="variant">{variant}</p>
    {embed}
  </main>
</body>
</html>
"""


def demo_page(request: web.Request, verifier: ContextVerifier) -> web.Response:
    token = verifier.mint(DEMO_RESIDENT)
    variant = "Giltig token."
    if request.query.get("expired") == "1":
        token = verifier.mint(DEMO_RESIDENT, lifetime=dt.timedelta(seconds=-60))
        variant = "Utgången token: chatten fortsätter utan inloggningsuppgifter."
    if request.query.get("tampered") == "1":
        head, payload, signature = token.split(".")
        token = f"{head}.{payload}.{signature[::-1]}"
        variant = "Manipulerad token: chatten fortsätter utan inloggningsuppgifter."
    if request.query.get("iframe") == "1":
        src = f"/chat#ctx={token}"
        embed = (f'<iframe class="chat-frame" title="Vårdlotsen – chatt om hälsa och vård" '
                 f'src="{html.escape(src)}"></iframe>')
    else:
        embed = (f'<script src="/widget.js" data-token="{html.escape(token)}" '
                 f'data-label="Chatta med Vårdlotsen" defer></script>')
    return web.Response(text=PAGE.format(variant=html.escape(variant), embed=embed),
                        content_type="text/html")

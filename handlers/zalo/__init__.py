"""Zalo Official Account channel: groundwork (not wired into the bot yet).

What exists: webhook signature checks (signature.py), the OA access/refresh token pair kept in
SQLite (tokens.py), a Message API v3 client (client.py) and Zalo's reply window (window.py).
The webhook route and the adapter come with the channel contract (issue 20, part 1).
"""

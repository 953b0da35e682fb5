"""The web chat: a page and a widget schools embed, on the same conversation core."""

"""The terminal chat: the conversation core as numbered plain text."""

"""Rasa input/output channels (Telegram, Zalo OA, the web widget), loaded by the Rasa server.

Every channel's message takes one path (`connectors.common`): normalise, guard, redact for logs,
then Rasa. Like `bot/`, this package never imports `actions/` or `knowledge_base/`.
"""

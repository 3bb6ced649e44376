"""Rasa input/output channels (REST, the web widget, Telegram, Zalo OA), loaded by the Rasa server.

Every channel's message takes one path (`connectors.common`): normalise, guard, redact for logs,
then Rasa. Telegram and Zalo extend one webhook channel (`connectors.webhook.WebhookInput`), which
decides the order of the steps once; their API clients live in their own modules. Like `bot/`, this
package never imports `actions/`, `answers/`, `app/` or `knowledge_base/`.
"""

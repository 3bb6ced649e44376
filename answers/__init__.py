"""The answer layer: from what a message asks to the reply (text, buttons, card, custom payload).

Dialogue-free: nothing here knows Rasa, a tracker or a channel. The actions (`actions/`) read the
conversation, call these functions and send the `Reply` they get back; fixed texts are domain
responses (`Reply.response`), texts built from data are composed here (`Reply.text`).
"""

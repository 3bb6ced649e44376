"""The rasa-sdk action server: thin adapters from the dialogue (tracker, dispatcher) to `answers/`.

Each action reads the latest message and the slots, calls the answer layer, sends the `Reply` it gets
(fixed texts as domain responses) and returns events. No action runs another: one that hands a turn
on returns `FollowupAction`, so the routing shows in the tracker.
"""

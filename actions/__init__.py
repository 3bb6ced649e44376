"""The rasa-sdk action server: thin adapters from the dialogue (tracker, dispatcher) to `answers/`.

Each action reads the latest message and the slots, calls the answer layer, sends the `Reply` it gets
(fixed texts as domain responses) and returns events. No action runs another: one that hands a turn
on returns `FollowupAction`, so the routing shows in the tracker.
"""

import sys

from actions import auth
from actions.common import warm_up

# Every call but /health needs the Rasa servers' shared token (actions/auth.py): registered with
# rasa-sdk here, so however the action server is started it checks the token.
auth.install()

# When the action server (`python -m rasa_sdk --actions actions`) loads this package, the indexes are
# built before it answers its health check; tests that import the actions build nothing here.
if sys.argv and sys.argv[0].endswith(("rasa_sdk/__main__.py", "rasa_sdk")):
    warm_up()

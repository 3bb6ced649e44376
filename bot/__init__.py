"""Code loaded by the Rasa server: NLU components. Never imports actions/ or knowledge_base/.

Importing `bot` (the model's components do, when the server loads the model) also applies the
performance fixes in `bot.rasa_patches`.
"""

from bot import rasa_patches

rasa_patches.apply()

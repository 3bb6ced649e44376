"""Code loaded by the Rasa server: NLU components. Never imports actions/ or knowledge_base/."""

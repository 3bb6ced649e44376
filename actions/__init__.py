"""The rasa-sdk action server: the only bridge from dialogue to the knowledge base."""

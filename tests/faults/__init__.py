"""Fault and abuse tests: what the application answers when its parts fail under it."""

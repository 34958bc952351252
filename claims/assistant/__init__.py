"""The editor assistant: from an article's text to proposed statements, written nowhere.

``pipeline.propose`` reads a text with spaCy's rule-based parts (a blank English pipeline: a
sentencizer, an EntityRuler of the record's actors and aliases, Matchers), dateparser and
rapidfuzz, and returns proposals tied to character spans. One module per kind of proposal holds
its rules (speakers, quotes, figures, dates, hops, responses, targets); ``drafts`` writes the
proposals an editor accepted, as drafts, through the write path; ``documents`` reads a
Document's archived copy into text.
"""

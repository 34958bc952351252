"""The write path: every change to the record, from any door, goes through a service here.

One module per kind of row written (claims with their parts, responses, evidence, assessments,
actors, incidents, documents); ``workflow`` says who may move what where; ``effects`` is the
only place that queues the work a change calls for. Doors translate ``errors`` into their own
form: a field message in the admin, a 4xx in the API, a row error in an import.
"""

"""What was asserted, answered and shown: incidents, claims, figures, responses, evidence."""

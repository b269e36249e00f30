"""The bad-input and fault catalogue of issue 17: one module per area, one test per case found,
each checking the message, the alert and that nothing is lost (README, Reliability)."""

"""No feedback model is registered in the admin (as before the move out of
consultation): every change goes through services.py, so that each one is
checked, lands on the item's timeline and in the audit trail."""

"""Services: every state change goes through one of these, which check the actor's rights and audit."""

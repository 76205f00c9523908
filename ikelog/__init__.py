"""ikelog: make sense of strongSwan charon logs."""

"""Staff views."""

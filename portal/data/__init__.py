"""Reviewed data shipped with the portal and loaded by set-up commands (not demo content)."""

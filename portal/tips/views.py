"""Tip form, receipt and follow-up views."""

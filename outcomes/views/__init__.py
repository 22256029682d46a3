"""The outcomes app's pages."""

"""Translations shared by the web viewer's pages and the reports: texts (``messages``) and dates (``dates``)."""

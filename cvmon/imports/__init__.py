"""Imports of figures measured outside cvmon: customer ratings and mystery-shopper scores (CSV or JSON rows)."""

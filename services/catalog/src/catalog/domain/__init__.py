"""Catalog rules: seat layouts, prices and show scheduling. No I/O, no framework imports."""

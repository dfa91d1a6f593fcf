"""Burkit-MO export files: reading, checking, loading and filing them away."""

"""Tests of the exports domain."""

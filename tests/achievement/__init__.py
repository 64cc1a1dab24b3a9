"""Tests of the achievement domain."""

"""Tests of the observations domain."""

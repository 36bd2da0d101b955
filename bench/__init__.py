"""Vetted benchmark: synthetic newsroom generator and HTTP load runner (see bench/README.md)."""

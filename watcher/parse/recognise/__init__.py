"""Recognisers: the grades and findings of each era's pages, read from text blocks."""

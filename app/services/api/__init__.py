"""The read API (/api/v1/): tokens and their scopes (tokens), and the figures it serves (read),
each read through the same services as the school's and the district's pages."""

"""The jobs a user runs (run, scrub, check): each calls the stages and writes atomically."""

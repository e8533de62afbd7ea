"""Stage annotate (needs the whole archive): article texts -> spin scores, duplicate links, related articles."""

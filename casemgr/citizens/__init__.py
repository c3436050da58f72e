"""The citizen's side: following cases, "me too", ratings, status messages, the public map."""

"""Video in: sources (files, URLs, webcams, raw stdin), sampling by time, the official eval
preprocessing, and the public ``VideoSource`` / ``classify`` API. PyAV is imported lazily."""

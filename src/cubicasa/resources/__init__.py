"""One module per API area, each holding its sync and async resource classes side by side."""

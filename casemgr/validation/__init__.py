"""Resolution integrity: doubtful resolutions are validated outside the resolving unit."""

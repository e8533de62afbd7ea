"""Preview: watch the archive, rebuild on change, serve site/ on loopback with live reload."""

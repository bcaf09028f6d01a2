"""The journey spec: frozen models, YAML reading and writing, issues with file, line and "did you mean"."""

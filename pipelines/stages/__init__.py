"""The pipeline's stages as plain functions over files in the data folder; Dagster only wires them."""

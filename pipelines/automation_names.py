"""Names shared by the definitions, the CLI and the tests."""
ALL_ASSETS_JOB = "xxgk_all_assets"

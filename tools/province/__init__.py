"""A fictional province for scale tests: N counties in the three CMS shapes the crawler has family
profiles for, each on its own loopback address, with profiles and registries in DIR/sources/.

    .venv/bin/python -m tools.province --counties N --seed S --out DIR

DIR/sources/<id>.toml + registry/<id>.csv  county profiles (XXGK_SOURCES_DIR=DIR/sources)
DIR/sites/<id>/                            each county's portal (tools.province.serve serves them)
DIR/truth/<id>.jsonl, DIR/manifest.csv     every report's values and URLs
DIR/province.json                          counties, families, hosts, port, counts
"""

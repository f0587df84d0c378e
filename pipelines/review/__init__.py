"""The review queue: what the machine could not read, put in front of a person in the browser.

`decisions` is the append-only store of what reviewers decided, `merge` applies those decisions
to an extraction result (the facts stage calls it), `queue` lists what needs a person, `pages`
renders the stored raw file, `server` is the local web app (`xxgk review`).
"""

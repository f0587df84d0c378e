"""Check source profiles without crawling: `python -m pipelines.crawl.check_profiles [FILE…]`.

Prints one line per profile (通过 ok … or 错误 error <file>: <key>: <problem>); exit status 1 when
any profile cannot be used. With no file, every profile in pipelines/sources/ is checked.
"""
import sys

from pipelines.crawl.profile import check_main

if __name__ == "__main__":
    sys.exit(check_main())

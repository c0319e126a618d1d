"""The shared kernel: ids and clocks, written once for every service's domain and use cases.

Standard library only, so a domain module may import it and still know nothing of the framework,
the database or the broker.
"""

from tickethub.kernel.clock import Clock, utc_now
from tickethub.kernel.ids import new_id, parse_id

__all__ = ["Clock", "new_id", "parse_id", "utc_now"]

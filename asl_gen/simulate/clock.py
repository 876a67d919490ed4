"""Virtual time: an execution's clock starts at a fixed instant and only moves when a state says it does."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

# A fixed start keeps `$$.Execution.StartTime` and every entered time the same on every run.
EPOCH = datetime(2025, 1, 1, tzinfo=timezone.utc)


@dataclass
class Clock:
    """Seconds since the execution started; a Parallel branch or Map iteration runs on its own copy."""

    now: float = 0.0

    def fork(self) -> Clock:
        return Clock(self.now)

    def advance(self, seconds: float) -> None:
        self.now += max(0.0, seconds)

    def iso(self) -> str:
        return iso(self.now)


def iso(seconds: float) -> str:
    """The instant `seconds` after the start, as Step Functions writes times (`2025-01-01T00:00:00.000Z`)."""
    moment = EPOCH + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


_TIMESTAMP = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})\Z")


def parse_timestamp(text: Any) -> datetime | None:
    """An RFC 3339 timestamp with an uppercase `T` and a `Z` or offset; None when it is not one."""
    match = _TIMESTAMP.match(text) if isinstance(text, str) else None
    if match is None:
        return None
    day, time, fraction, zone = match.groups()
    # Python 3.10's fromisoformat takes only 3 or 6 fractional digits; RFC 3339 allows any number.
    micro = (fraction or "").ljust(6, "0")[:6]
    try:
        return datetime.fromisoformat(f"{day}T{time}.{micro}{'+00:00' if zone == 'Z' else zone}")
    except ValueError:
        return None


def seconds_until(text: Any, clock: Clock) -> float | None:
    """Seconds from the clock's now to an RFC 3339 timestamp (0 when it has passed); None when it is not one."""
    moment = parse_timestamp(text)
    if moment is None:
        return None
    return max(0.0, (moment - EPOCH).total_seconds() - clock.now)

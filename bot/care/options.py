"""CareOption: one place or service the resident can turn to, as shown on the care card."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class CareOption:
    # emergency (112), advice (1177), digital, vardcentral, jour, narakut, akutmottagning,
    # e_service, dental
    kind: str
    name: str
    why: str
    phone: str | None = None
    address: str | None = None
    url: str | None = None
    open_now: bool | None = None       # None: always open or not known
    next_opening: str | None = None    # ISO time, when closed now
    hours_verified: bool = True        # False: "kontrollera öppettider på 1177.se"
    unit_id: str | None = None         # the care directory's id, for booking and staff
    distance_km: int | None = None     # from the resident's municipality

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

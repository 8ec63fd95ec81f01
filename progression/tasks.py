"""Background work for progression: evidence packs (large cases take a while to render)."""

from __future__ import annotations

from celery import shared_task

from progression import services


@shared_task(time_limit=300, soft_time_limit=240)
def build_evidence_pack(pack_id: int) -> str:
    return services.evidence_pack_build(pack_id=pack_id).status

"""Background work for progression: evidence packs (large cases take a while to render)."""

from __future__ import annotations

from celery import shared_task

from progression import services


@shared_task(time_limit=services.EVIDENCE_PACK_TIME_LIMIT, soft_time_limit=services.EVIDENCE_PACK_TIME_LIMIT - 60)
def build_evidence_pack(pack_id: int) -> str:
    return services.evidence_pack_build(pack_id=pack_id).status

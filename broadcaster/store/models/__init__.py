"""All ORM models. Each area keeps its tables in its own module; importing this registers them all."""
from broadcaster.store.models.base import Base

# Area modules register their tables on import. Keep this list in dependency order.
from broadcaster.store.models import core  # noqa: E402,F401  users and roles
from broadcaster.store.models import workflow  # noqa: E402,F401  announcements, approval, as-run, faults

__all__ = ["Base"]
from broadcaster.store.models import schedule  # noqa: E402,F401  playlists, programmes, rules, missed slots
from broadcaster.store.models import cases  # noqa: E402,F401  desk: cases, pages, lost property
from broadcaster.store.models import onair  # noqa: E402,F401  airings, players, shared media
from broadcaster.store.models import desk  # noqa: E402,F401  desk: complaints, incidents, follow-up visits, handovers
from broadcaster.store.models import versions  # noqa: E402,F401  announcement versions (approved one airs while an edit waits)
from broadcaster.store.models import keeping  # noqa: E402,F401  venue words for the pick-lists, lost-property disposal
from broadcaster.store.models import security  # noqa: E402,F401  log-in sessions, failed log-ins, audit log
from broadcaster.store.models import airlog  # noqa: E402,F401  the air logger's files and item marks (playback)
from broadcaster.store.models import venue  # noqa: E402,F401  the venue settings every machine shares

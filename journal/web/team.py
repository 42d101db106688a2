"""The team clash overview for leads: where expectations clash, against whom, and the trend."""
from flask import render_template, request
from flask_login import current_user

from .. import charts, citizens, clock, expectations, users
from ..access import allow, team_for
from ..clashes import weekly_clash_counts
from ..db import get_db
from ..expectations import SOURCES
from . import bp


@bp.route("/team")
@allow("lead")
def team():
    """All the team's active citizens by largest gap, a filter by source kind, and 12 weeks of clashes."""
    db = get_db()
    team = team_for(db, current_user, current_user.team_id)
    items = citizens.visible(db, current_user, team)
    counts = citizens.source_directions(items, team["gap_threshold"])
    source = request.args.get("source")
    if source not in SOURCES:
        source = None
    shown = citizens.filter_by_source(items, source, team["gap_threshold"]) if source else items
    shown.sort(key=citizens.gap_order)
    entries = expectations.for_citizens(db, [i["id"] for i in items])
    weekly = weekly_clash_counts(entries, team, clock.today(), owners={i["id"]: i["primary_worker_id"] for i in items})
    return render_template(
        "team.html",
        names=users.display_names(db, team["id"]),
        team=team,
        items=shown,
        total=len(items),
        clashing=sum(1 for i in items if i["clash"]),
        counts=counts,
        source=source,
        sources=[s for s in SOURCES if s != "worker"],
        weekly=charts.weekly_clash_chart(weekly),
    )

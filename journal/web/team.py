"""The team clash overview for leads: where expectations clash, against whom, and the trend."""
from flask import render_template, request
from flask_login import current_user

from .. import charts, citizens, summaries, users
from ..access import allow, team_for, visible_citizens_sql
from ..db import get_db
from ..expectations import SOURCES
from ..schemas.core import TeamPageIn
from . import bp
from .forms import load

#: Citizens per page of the overview: a lead's phone shows them in one scroll.
PER_PAGE = 50


@bp.route("/team")
@allow("lead")
def team():
    """The team's active citizens by largest gap (a page of them), a filter by source kind,
    and 12 weeks of clashes; everything from the stored summaries (journal/summaries.py)."""
    db = get_db()
    team = team_for(db, current_user, current_user.team_id)
    args = load(TeamPageIn(), request.args)[0] or {}
    source = args.get("source")
    total, clashing, counts = citizens.team_counts(db, current_user, team)
    shown = citizens.team_page(db, current_user, team, page=args.get("page") or 1, per_page=PER_PAGE, source=source)
    where, params = visible_citizens_sql(current_user)
    weekly = summaries.weekly_counts(db, f"{where} AND citizen.status = 'active'", params)
    return render_template(
        "team.html",
        names=users.display_names(db, team["id"]),
        team=team,
        items=shown["items"],
        page=shown["page"],
        pages=max(1, -(-shown["total"] // PER_PAGE)),
        listed=shown["total"],
        total=total,
        clashing=clashing,
        counts=counts,
        source=source,
        sources=[s for s in SOURCES if s != "worker"],
        weekly=charts.weekly_clash_chart(weekly),
    )

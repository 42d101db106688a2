"""The team: its clash overview and (for leads) its settings."""
from flask_login import current_user

from .. import citizens, users
from ..access import allow, require_lead, team_for
from ..db import get_db
from ..schemas.core import TeamClashArgs, TeamClashPage, TeamOut, TeamPatch
from ..users import CASE_ROLES
from .parsing import Blueprint

blp = Blueprint("api_teams", __name__, url_prefix="/api/v1/teams", description="Teams")


@blp.route("/<int:team_id>", methods=["GET"])
@allow(*CASE_ROLES)
@blp.response(200, TeamOut)
def get_team_view(team_id):
    """Your team and its settings (thresholds for clash and prompts)."""
    return team_for(get_db(), current_user, team_id)


@blp.route("/<int:team_id>", methods=["PATCH"])
@allow("lead")
@blp.arguments(TeamPatch)
@blp.response(200, TeamOut)
def patch_team(data, team_id):
    """Change the team's thresholds or language (leads)."""
    db = get_db()
    team = team_for(db, current_user, team_id)
    require_lead(current_user)
    return users.update_team(db, current_user, team, data)


@blp.route("/<int:team_id>/clashes", methods=["GET"])
@allow(*CASE_ROLES)
@blp.arguments(TeamClashArgs, location="query")
@blp.response(200, TeamClashPage)
def team_clashes(args, team_id):
    """Active citizens of the team sorted by the largest gap (recusals left out).

    `?source=doctor` keeps only citizens with a gap against that source kind and ranks by
    it; `?clashing=true` keeps only clashing citizens.
    """
    db = get_db()
    team = team_for(db, current_user, team_id)
    return citizens.team_page(
        db, current_user, team, page=args["page"], per_page=args["per_page"],
        source=args.get("source"), clashing=args.get("clashing"),
    )

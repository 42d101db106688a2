"""Log in, log out, who am I."""
from flask import current_app
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from .. import auth, users
from ..access import allow, csrf_exempt, public
from ..db import get_db
from ..limiter import limiter
from ..schemas.core import ConfirmPasswordIn, LoginIn, LoginOut, MeOut, PasswordChangeIn
from .parsing import Blueprint

blp = Blueprint("api_auth", __name__, url_prefix="/api/v1", description="Sessions")

ANY_ROLE = users.ROLES


@blp.route("/auth/login", methods=["POST"])
@public
@csrf_exempt
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
@blp.arguments(LoginIn)
@blp.response(200, LoginOut)
@blp.alt_response(401, description="Wrong username or password")
@blp.alt_response(429, description="Locked after too many failed logins; see Retry-After")
def login(data):
    """Log in with username and password; answers the user and the CSRF token to send."""
    user = auth.authenticate(get_db(), data["username"], data["password"])
    return {"user": user, "csrf_token": generate_csrf()}


@blp.route("/auth/confirm", methods=["POST"])
@allow(*ANY_ROLE)
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
@blp.arguments(ConfirmPasswordIn)
@blp.response(204)
@blp.alt_response(422, description="Wrong password (code wrong_password); counts towards the login lockout")
@blp.alt_response(429, description="Locked after too many failed passwords; see Retry-After")
def confirm(data):
    """Type the password again: sensitive actions (lifting a recusal) are allowed for the next
    FRESH_LOGIN_MINUTES (10 by default); until then they answer 401 fresh_login_required."""
    auth.confirm_password(get_db(), current_user, data["password"])


@blp.route("/auth/password", methods=["POST"])
@allow(*ANY_ROLE)
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
@blp.arguments(PasswordChangeIn)
@blp.response(204)
@blp.alt_response(422, description="Wrong current password (code wrong_password), or a new password the policy refuses")
@blp.alt_response(429, description="Too many failed passwords; see Retry-After")
def change_password(data):
    """Change your own password. Every other session of yours ends; this one goes on (the
    response sets a fresh session cookie; fetch a new CSRF token from /me)."""
    auth.change_own_password(get_db(), current_user, data["current_password"], data["new_password"])


@blp.route("/auth/logout", methods=["POST"])
@allow(*ANY_ROLE)
@blp.response(204)
def logout():
    """End the session."""
    auth.logout(get_db(), current_user)


@blp.route("/me", methods=["GET"])
@allow(*ANY_ROLE)
@blp.response(200, MeOut)
def me():
    """The logged-in user, their team and a CSRF token (e.g. after a page reload)."""
    team = users.get_team(get_db(), current_user.team_id) if current_user.team_id else None
    return {"user": current_user, "team": team, "csrf_token": generate_csrf()}

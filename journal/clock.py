"""Time in one place: UTC timestamps for records, the local date for "today".

Danish and Swedish jobcentres share one time zone, so "today" (the default meeting date and
the limit for dates in the future) is the date in Europe/Copenhagen, not in UTC: a meeting
logged at 00:30 local time belongs to the new day.
"""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Europe/Copenhagen")


def now_utc():
    return datetime.now(timezone.utc)


def timestamp(moment=None):
    """ISO 8601 UTC timestamp with a Z, to the second, as stored in the database."""
    moment = moment or now_utc()
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def local_date(text):
    """The local (Copenhagen) date of a stored UTC timestamp: 23:30Z is already tomorrow there."""
    return parse_timestamp(text).astimezone(LOCAL_ZONE).date()


def today():
    """Today's date where the jobcentres are."""
    return now_utc().astimezone(LOCAL_ZONE).date()


def as_date(value):
    """A date from a date or an ISO string (as stored)."""
    if isinstance(value, date):
        return value
    return date.fromisoformat(value)

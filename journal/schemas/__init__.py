"""marshmallow schemas: every input is loaded through one, every output dumped through one.

Used by the JSON API (journal/api) and the web forms (journal/web, through
journal/web/forms.py) alike, so a rule holds whichever way the data arrives:

- `fields`: shared field types and validators (strict numbers, checked free text, UUIDs)
- `core`: casework (auth, citizens, expectations, meetings, outcomes, recusals, teams, sync)
- `sparring`: requests, sessions, ratings, revisions, actions
- `exports`: research exports and studies
- `admin`: users, teams and the audit-log filters of the admin screens
"""
